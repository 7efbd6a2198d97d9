/**
 * The Prometheus text exposition format (version 0.0.4), as plain data in and text out.
 */

/** One metric family: its name, type, help line and samples. */
export interface MetricFamily {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly samples: readonly { readonly labels?: Readonly<Record<string, string>>; readonly value: number }[];
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/**
 * Writes metric families in the Prometheus text format.
 *
 * @example
 * formatPrometheus([{ name: 'mjsim_callback_urls', type: 'gauge', help: 'URLs by status', samples: [{ labels: { status: 'dead' }, value: 1 }] }])
 * // '# HELP mjsim_callback_urls URLs by status\n# TYPE mjsim_callback_urls gauge\nmjsim_callback_urls{status="dead"} 1\n'
 */
export function formatPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      const labelText = labels.length ? `{${labels.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}` : '';
      lines.push(`${family.name}${labelText} ${Number.isFinite(sample.value) ? String(sample.value) : 'NaN'}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
