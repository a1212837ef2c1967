import { describe, expect, it } from 'vitest';
import { parseWrk } from './wrk.mjs';

// wrk 4.1.0's report with --latency, as the sidecar bench reads it.
const REPORT = `Running 5s test @ http://127.0.0.1:41234/reviews/0
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.31ms    1.02ms  40.12ms   93.10%
    Req/Sec    13.40k   612.33    14.10k    88.00%
  Latency Distribution
     50%    2.21ms
     75%    2.50ms
     90%    2.91ms
     99%  850.00us
  66702 requests in 5.00s, 15.01MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  13340.12
Transfer/sec:      3.00MB
`;

describe('parseWrk', () => {
  it('reads requests, req/s, p50/p99 in ms (us and ms units), socket errors and non-2xx answers', () => {
    expect(parseWrk(REPORT)).toEqual({
      completed: 66702,
      rps: 13340.12,
      p50: 2.21,
      p99: 0.85,
      errors: 3,
      non2xx: 4,
    });
  });

  it('counts no errors when wrk reports none', () => {
    const clean = REPORT.replace(/ {2}Socket errors.*\n {2}Non-2xx.*\n/, '');
    expect(parseWrk(clean)).toMatchObject({ errors: 0, non2xx: 0, completed: 66702 });
  });
});
