/** The passwords `npm run render` writes: the plain one when given, else a placeholder keepalived accepts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadClusterModel, validateConfig } from "../../core";
import { AUTH_PASS_PLACEHOLDER, placeholderNote, renderPasswords } from "../../scripts/lib/render-passwords";
import { seedConfig, seedWith } from "./fixtures";

describe("render passwords", () => {
  it("the placeholder is a password validation accepts (1..8 characters keepalived.conf can hold)", () => {
    assert.ok(AUTH_PASS_PLACEHOLDER.length >= 1 && AUTH_PASS_PLACEHOLDER.length <= 8);
    const { problems } = validateConfig(seedWith((c) => { c.vrrp.authPass = AUTH_PASS_PLACEHOLDER; }));
    assert.deepEqual(problems, []);
  });

  it("a generated password is rendered as the placeholder, and the note says so", () => {
    const passwords = renderPasswords(loadClusterModel(seedConfig()));
    assert.deepEqual(passwords, { authPasses: [AUTH_PASS_PLACEHOLDER], placeholders: ["VI_1"] });
    assert.match(placeholderNote(passwords)!, /is a placeholder: `pulumi up` generates the real password/);
  });

  it("a secret password is rendered as the placeholder too", () => {
    const passwords = renderPasswords(loadClusterModel(seedWith((c) => { c.vrrp.authPass = { secure: "v1:abc" }; })));
    assert.deepEqual(passwords.authPasses, [AUTH_PASS_PLACEHOLDER]);
  });

  it("a plain password from the stack file is rendered as it is, with no note", () => {
    const passwords = renderPasswords(loadClusterModel(seedWith((c) => { c.vrrp.authPass = "s3cr3t"; })));
    assert.deepEqual(passwords, { authPasses: ["s3cr3t"], placeholders: [] });
    assert.equal(placeholderNote(passwords), undefined);
  });
});
