// GraphQL-over-HTTP conformance: the `graphql-http` server audits against a running parcours.
// Usage: node audit.mjs URL TOKEN. Every request carries the bearer token (the endpoint
// authenticates before anything else). Fails when any MUST audit fails.
import { serverAudits } from 'graphql-http';

const [url, token] = process.argv.slice(2);
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

let mustFailures = 0;
let warnings = 0;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    console.log(`ok    ${audit.name}`);
  } else if (audit.name.startsWith('MUST')) {
    mustFailures += 1;
    console.log(`FAIL  ${audit.name}: ${result.reason}`);
  } else {
    warnings += 1;
    console.log(`note  ${audit.name}: ${result.reason}`);
  }
}
console.log(`graphql-http audit: ${mustFailures} MUST failures, ${warnings} notices`);
process.exit(mustFailures === 0 ? 0 : 1);
