// The feed's cell text (stream/feed.js): cut to what a column holds, numbers in a form that fits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compact, fit } from "../../web/static/js/stream/feed.js";

test("fit keeps text that fits and cuts the rest with an ellipsis", () => {
  assert.equal(fit("private", 7), "private");
  assert.equal(fit("domain_u", 6), "domai…");
  assert.equal(fit("netbios_ssn", 1), "…");
});

test("compact: as before where there is room", () => {
  const wide = [[0, "0"], [9999, "9999"], [10_000, "10k"], [54_540, "55k"], [1_234_567, "1.2M"], [0.25, "0.25"], [1.5, "1.50"]];
  for (const [value, text] of wide) assert.equal(compact(value), text, String(value));
  assert.equal(compact(Number.NaN), "?");
});

test("compact: a shorter form of the same number when the column is narrow", () => {
  const four = [[1054, "1054"], [54_540, "55k"], [999_999, "1.0M"], [123_456_789, "123M"], [-2500, "-3k"], [0.25, "0.25"]];
  for (const [value, text] of four) assert.equal(compact(value, 4), text, String(value));
  const three = [[1054, "1k"], [9999, "10k"], [10_000, "10k"], [1_234_567, "1M"], [0.25, "0.3"], [12.345, "12"]];
  for (const [value, text] of three) assert.equal(compact(value, 3), text, String(value));
  for (const value of [10_000, 54_540, 400_000]) {
    assert.equal(compact(value, 2), "…", "never a misleading 0M, nor a number cut short");
  }
});

test("every number of the KDD feed's range fits four characters", () => {
  for (const value of [0, 7, 99, 999, 4321, 10_000, 99_999, 654_321, 1_000_000, 9_999_999, 693_375_640]) {
    assert.ok(compact(value, 4).length <= 4, `${value} -> ${compact(value, 4)}`);
    assert.doesNotMatch(compact(value, 4), /…/, String(value));
  }
});
