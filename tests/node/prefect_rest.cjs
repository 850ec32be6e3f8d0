// One request to Prefect's REST API for the node client scripts, with 429/502/503 retried on a
// backoff as Prefect's own client and prefect-api retry them: Prefect on SQLite answers 503
// ("database is locked", the write did not happen) while another test's write holds the lock.
// Creates of runs sent through it carry an idempotency key, so a retry makes no second run.
"use strict";

const RETRIED = new Set([429, 502, 503]);
const ATTEMPTS = 6;

async function prefectRest(apiUrl, method, path, body) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(apiUrl + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    if (response.ok) return text ? JSON.parse(text) : null;
    if (!RETRIED.has(response.status) || attempt + 1 === ATTEMPTS) {
      throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    }
    console.error(`Prefect answered ${response.status} to ${method} ${path}; retrying`);
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
}

module.exports = { prefectRest };
