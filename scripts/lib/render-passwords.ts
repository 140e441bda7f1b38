/**
 * The VRRP passwords `npm run render` writes. A password the program generates at `up`, or keeps as a secret,
 * is not known here; the rendered tree still has to pass `keepalived -t` as it is, so it gets a placeholder
 * keepalived accepts (at most 8 characters, none that keepalived.conf cannot hold) instead of a longer marker
 * that keepalived truncates with a warning. Pure.
 */
import { ClusterModel } from "../../core";

/** Written as `auth_pass` where the real password is generated at `up` or is a secret: 8 characters. */
export const AUTH_PASS_PLACEHOLDER = "<gen-up>";

/** Each instance's `auth_pass` for rendering, and the instances that got the placeholder. */
export interface RenderPasswords {
  /** One per VRRP instance, in model order: the plain password from the stack file, else the placeholder. */
  readonly authPasses: readonly string[];
  /** Names of the instances whose password is the placeholder. */
  readonly placeholders: readonly string[];
}

/** The passwords to render for a model. */
export function renderPasswords(model: ClusterModel): RenderPasswords {
  return {
    authPasses: model.instances.map(({ authPass }) => (authPass.kind === "plain" ? authPass.value : AUTH_PASS_PLACEHOLDER)),
    placeholders: model.instances.filter(({ authPass }) => authPass.kind !== "plain").map((i) => i.instanceName),
  };
}

/** The console note for placeholders, or undefined when every password was given in plain text. */
export function placeholderNote(passwords: RenderPasswords): string | undefined {
  if (passwords.placeholders.length === 0) return undefined;
  return `auth_pass ${AUTH_PASS_PLACEHOLDER} in ${passwords.placeholders.join(", ")} is a placeholder: ` +
    "`pulumi up` generates the real password (or uses the stack's secret) and keeps it encrypted in the state";
}
