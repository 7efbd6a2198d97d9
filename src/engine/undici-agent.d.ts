/**
 * undici's connection pool on its own: `lib/dispatcher/agent.js` exports the class the package entry
 * re-exports as `Agent` (the package declares no `exports` map, so the path is public to Node's resolver).
 */
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const AgentClass: typeof Agent;
  export = AgentClass;
}
