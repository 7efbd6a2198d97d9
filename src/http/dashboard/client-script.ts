/**
 * The dashboard's browser script, served as-is from `/dashboard/app.js` (plain JavaScript: no build step).
 * It sends the page's actions, re-fetches the server-rendered panels after an action or a live event, and
 * prints the live feed.
 */
export const CLIENT_SCRIPT = String.raw`(() => {
  'use strict';
  const HEADERS = { 'content-type': 'application/json', 'x-mjsim-dashboard': '1' };
  const panels = document.getElementById('panels');
  const feed = document.getElementById('feed');
  const status = document.getElementById('action-status');
  const live = document.getElementById('live');
  let renderedAt = Date.now();
  let timer = null;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : '';
  }

  function setBusy(busy) {
    document.body.dataset.busy = busy ? '1' : '';
    for (const button of document.querySelectorAll('#controls button:not([data-fixed-disabled])')) button.disabled = busy;
  }

  async function refresh() {
    const res = await fetch('/dashboard/panels' + location.search, { headers: { accept: 'text/html' } });
    if (!res.ok) return;
    const html = await res.text();
    const open = new Set(Array.from(panels.querySelectorAll('details[open][data-key]'), (d) => d.dataset.key));
    panels.innerHTML = html;
    for (const details of panels.querySelectorAll('details[data-key]')) if (open.has(details.dataset.key)) details.open = true;
    renderedAt = Date.now();
    panels.dataset.refreshes = String(Number(panels.dataset.refreshes || 0) + 1);
  }

  function scheduleRefresh() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      refresh().catch(() => undefined);
    }, 150);
  }

  // An advance keeps the buttons live (it may run a while; its progress and Cancel show in the clock panel).
  async function act(path, body, label, method, keepLive) {
    say(label + '…');
    if (!keepLive) setBusy(true);
    if (keepLive) scheduleRefresh();
    try {
      const res = await fetch(path, { method: method || 'POST', headers: HEADERS, body: method === 'DELETE' ? undefined : JSON.stringify(body || {}) });
      const data = await res.json().catch(() => ({}));
      if (res.ok) say(data.message || label + ': done');
      else say((data.error && data.error.message) || 'HTTP ' + res.status, true);
    } catch (error) {
      say(String(error), true);
    } finally {
      if (!keepLive) setBusy(false);
      await refresh().catch(() => undefined);
    }
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const id = button.dataset.id;
    switch (button.dataset.action) {
      case 'advance':
        return act('/dashboard/clock/advance', button.dataset.to ? { to: button.dataset.to } : { by: button.dataset.by }, button.textContent.trim(), 'POST', true);
      case 'cancel-advance':
        return act('/dashboard/clock/advance', null, 'Cancelling the advance', 'DELETE', true);
      case 'reactivate':
        return act('/dashboard/callback-urls/' + id + '/reactivate', {}, 'Reactivating URL #' + id);
      case 'replay':
        return act('/dashboard/deliveries/' + id + '/replay', {}, 'Replaying delivery #' + id);
    }
  });

  document.getElementById('emit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { event: form.get('event') };
    if (form.get('email')) body.email = form.get('email');
    if (form.get('accountId')) body.accountId = Number(form.get('accountId'));
    act('/dashboard/events', body, 'Emitting ' + body.event);
  });

  function addFeed(kind, item) {
    const li = document.createElement('li');
    li.className = 'feed-' + kind + (item.ok ? ' ok' : '');
    const time = document.createElement('time');
    time.textContent = item.atText.slice(11);
    li.append(time, ' ', item.text);
    feed.prepend(li);
    while (feed.children.length > 300) feed.lastElementChild.remove();
  }

  const source = new EventSource('/dashboard/stream');
  source.addEventListener('hello', () => {
    live.textContent = 'live';
    live.className = 'badge alive';
  });
  source.addEventListener('error', () => {
    live.textContent = 'reconnecting';
    live.className = 'badge dead';
  });
  for (const kind of ['accepted', 'attempt', 'suspended', 'clock']) {
    source.addEventListener(kind, (event) => {
      addFeed(kind, JSON.parse(event.data));
      scheduleRefresh();
    });
  }

  // A scaled or real clock moves between refreshes: tick its display every second.
  setInterval(() => {
    const clock = document.getElementById('clock-now');
    if (!clock || clock.dataset.mode === 'manual') return;
    const now = Number(clock.dataset.now) + (Date.now() - renderedAt) * Number(clock.dataset.factor);
    if (!Number.isNaN(new Date(now).getTime())) clock.textContent = new Date(now).toISOString().slice(0, 19).replace('T', ' ') + 'Z';
  }, 1000);
})();
`;
