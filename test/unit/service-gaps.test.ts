import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { serviceGaps, ServiceWatch, VipSample } from "../support/lab";

/** Samples every 100 ms from 0 to `until` ms, held where `held(t)`. */
const samples = (until: number, held: (t: number) => boolean): VipSample[] =>
  Array.from({ length: until / 100 + 1 }, (_, i) => ({ t: i * 100, held: held(i * 100) }));
const http = (until: number, ok: (t: number) => boolean) =>
  Array.from({ length: until / 100 + 1 }, (_, i) => ({ t: i * 100, ok: ok(i * 100) }));

describe("service gaps of a VIP watch", () => {
  test("one holder and HTTP answering throughout: no gap", () => {
    const w: ServiceWatch = { holders: { a: samples(5000, () => true), b: samples(5000, () => false) }, http: http(5000, () => true) };
    assert.deepEqual(serviceGaps(w), []);
  });

  test("a handover: the VIP moves from a to b with 600 ms without an answer", () => {
    const w: ServiceWatch = {
      holders: { a: samples(5000, (t) => t < 2000), b: samples(5000, (t) => t >= 2200) },
      http: http(5000, (t) => t < 2000 || t >= 2600),
    };
    assert.deepEqual(serviceGaps(w), [{ start: 2000, ms: 600 }]);
  });

  test("two holders at once is a gap even while HTTP answers (split brain)", () => {
    const w: ServiceWatch = { holders: { a: samples(3000, () => true), b: samples(3000, (t) => t >= 1000 && t < 1500) },
      http: http(3000, () => true) };
    assert.deepEqual(serviceGaps(w), [{ start: 1000, ms: 500 }]);
  });

  test("a powered-off backup whose samples end is not a holder", () => {
    const w: ServiceWatch = { holders: { a: samples(4000, () => true), b: samples(1000, () => false) }, http: http(4000, () => true) };
    assert.deepEqual(serviceGaps(w), []);
  });

  test("a sampler that starts late is not a gap: the grid starts when every sampler runs", () => {
    const late = samples(3000, () => true).filter((x) => x.t >= 700); // the holder's sampler started last
    const w: ServiceWatch = { holders: { a: late, b: samples(3000, () => false) }, http: http(3000, () => true) };
    assert.deepEqual(serviceGaps(w), []);
  });
});
