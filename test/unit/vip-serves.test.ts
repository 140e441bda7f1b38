import assert from "node:assert/strict";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { secondsUntilServes } from "../../scripts/lib/vip-serves";

describe("waiting until an address serves HTTP 200", () => {
  let server: http.Server;
  let url = "";
  let readyAt = 0;
  before(async () => {
    // 503 until readyAt, then 200: like a VIP whose holder's web server comes up.
    server = http.createServer((_req, res) => { res.statusCode = performance.now() >= readyAt ? 200 : 503; res.end(); });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => server.close());

  it("counts from the given start to the first 200, probing every 100 ms", async () => {
    const since = performance.now();
    readyAt = since + 400;
    const s = await secondsUntilServes(url, since);
    assert.ok(s >= 0.4 && s < 1.5, `took ${s} s`); // generous: a loaded machine answers late
  });
  it("gives up after the limit, naming the last answer", async () => {
    readyAt = Infinity;
    await assert.rejects(secondsUntilServes(url, performance.now(), { limitMs: 300 }), /did not answer 200 within 0.3 s .*last: 503/);
  });
});
