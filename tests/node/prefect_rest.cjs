// One request to Prefect's REST API for the node client scripts, with 429/502/503 retried on a
// backoff as Prefect's own client and prefect-api retry them (Prefect on SQLite answers 503,
// "database is locked", the write not made, while another test's write holds the lock), and a
// refused connection or a timeout retried too, as tests/python/checks.py does. The writes sent
// through it cannot make two of anything: runs carry an idempotency key, flows and deployments
// are upserts, and Prefect refuses a second concurrency limit of one name.
"use strict";

const RETRIED = new Set([429, 502, 503]);
const ATTEMPTS = 6;

// One try: Prefect's answer, or the error of a request that got none.
async function send(url, method, body) {
  try {
    const response = await fetch(url, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: response.status, ok: response.ok, text: await response.text() };
  } catch (error) {
    return { failure: error };
  }
}

async function prefectRest(apiUrl, method, path, body) {
  for (let attempt = 0; ; attempt += 1) {
    const answer = await send(apiUrl + path, method, body);
    if (answer.ok) return answer.text ? JSON.parse(answer.text) : null;
    const why = answer.failure?.message ?? `${answer.status} ${answer.text.slice(0, 300)}`;
    const retried = answer.failure !== undefined || RETRIED.has(answer.status);
    if (!retried || attempt + 1 === ATTEMPTS) throw new Error(`${method} ${path}: ${why}`);
    console.error(`${method} ${path}: ${why}; retrying`);
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
}

module.exports = { prefectRest };
