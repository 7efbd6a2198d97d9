/** The dashboard's stylesheet, inlined into the page (no build step, no extra request). */
export const STYLES = `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1d232b; background: #f6f7f9; }
body { margin: 0; }
header { display: flex; gap: 1em; align-items: baseline; padding: .6em 1.2em; background: #1d232b; color: #fff; }
header h1 { margin: 0; font-size: 1.3em; }
header .muted { color: #b8c0cc; }
h2 { font-size: 1.05em; margin: 1em 0 .4em; }
#controls { display: flex; flex-wrap: wrap; gap: 1em; align-items: center; padding: .6em 1.2em; background: #fff; border-bottom: 1px solid #dde1e6; }
#controls .buttons, .emit { display: flex; gap: .4em; flex-wrap: wrap; }
button { font: inherit; padding: .25em .7em; border: 1px solid #8a94a3; border-radius: 4px; background: #fff; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
input, select { font: inherit; padding: .2em .4em; }
#action-status.error { color: #b3261e; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 24em; gap: 1.2em; padding: 0 1.2em 2em; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
.muted { color: #66707d; }
.clock-status { display: flex; flex-wrap: wrap; gap: 1.5em; margin-top: .8em; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .25em .5em; border-bottom: 1px solid #e5e8ec; vertical-align: top; }
td.url { font-family: ui-monospace, monospace; word-break: break-all; }
.badge { display: inline-block; padding: 0 .5em; border-radius: 1em; background: #e5e8ec; font-size: .9em; }
.badge.alive, .badge.delivered { background: #d7f0dd; color: #17612b; }
.badge.dead, .badge.failed { background: #f9d9d6; color: #8c1d14; }
.badge.pending, .badge.in_flight { background: #fdeccc; color: #7a4b00; }
.badge.handed_over, .badge.suppressed { background: #e1e4f7; color: #2f3a86; }
a.badge { color: inherit; text-decoration: none; margin-right: .3em; }
a.badge.chosen { outline: 2px solid #1d232b; }
#filters { padding: .4em 1.2em; background: #fff; border-bottom: 1px solid #dde1e6; }
#filters form { display: flex; gap: .4em; flex-wrap: wrap; align-items: center; }
#filters select[name="url"] { max-width: 28em; }
.pager { display: flex; gap: 1em; align-items: baseline; margin: .3em 0; }
.filter-problem { color: #b3261e; margin: .2em 0; }
.delivery { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: .5em .7em; margin: .5em 0; }
.delivery-head { display: flex; flex-wrap: wrap; gap: .8em; align-items: baseline; }
.delivery-head button { margin-left: auto; }
.timeline { display: flex; flex-wrap: wrap; gap: 3px; list-style: none; padding: 0; margin: .5em 0; }
.slot { display: flex; flex-direction: column; align-items: center; min-width: 3.6em; padding: 2px 3px; border-radius: 3px; font-size: .78em; line-height: 1.2; border: 1px solid #d4d9df; }
.slot small { color: inherit; opacity: .8; min-height: 1.2em; }
.slot.success { background: #2e8b47; color: #fff; border-color: #2e8b47; }
.slot.failed { background: #c8372d; color: #fff; border-color: #c8372d; }
.slot.in-flight { background: #f2b33d; border-color: #f2b33d; }
.slot.next { border: 2px solid #f2b33d; background: #fff7e6; font-weight: bold; }
.slot.planned { background: #fff; color: #66707d; border-style: dashed; }
.slot.unused { background: #f0f2f4; color: #a3aab4; }
.timeline .more { align-self: center; color: #66707d; font-size: .85em; }
.attempts td { font-size: .9em; }
aside { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; }
#feed { list-style: none; padding: 0; margin: 0; font-size: .88em; }
#feed li { padding: .2em .4em; border-bottom: 1px solid #e5e8ec; background: #fff; }
#feed time { color: #66707d; font-family: ui-monospace, monospace; }
#feed .feed-suspended { background: #f9d9d6; }
#feed .feed-attempt.ok { color: #17612b; }
`;
