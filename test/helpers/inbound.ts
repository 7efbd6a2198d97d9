/**
 * Inbound mail for Parse API tests: the multipart fixture, a route registered through the REST API, and raw
 * messages POSTed to `/sim/inbound`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TestSim } from './sim.js';

/** A support request: text (ISO-8859-1, QP), HTML, inline PNG by Content-ID, a text attachment, a forwarded message. */
export const SUPPORT_REQUEST = readFileSync(fileURLToPath(new URL('../../fixtures/inbound/support-request.eml', import.meta.url)));

/** Registers a parse route on `support@acme.example` (unless `email` says otherwise) and returns it. */
export async function registerRoute(sim: TestSim, url: string, email = 'support@acme.example'): Promise<{ ID: number; Email: string; Url: string }> {
  const res = await sim.api('/v3/REST/parseroute', { method: 'POST', json: { Url: url, Email: email } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { Data: { ID: number; Email: string; Url: string }[] }).Data[0] as { ID: number; Email: string; Url: string };
}

/** POSTs a raw message to `/sim/inbound` (envelope in the query). */
export function postInbound(sim: TestSim, raw: string | Buffer, query = ''): Promise<Response> {
  return sim.api(`/sim/inbound${query}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw });
}

/** A message whose multiparts nest `depth` deep. */
export function nested(depth: number): string {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost';
  for (let i = 0; i < depth; i++) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--`;
  return `From: a@customer.example\r\nTo: support@acme.example\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}\r\n`;
}


