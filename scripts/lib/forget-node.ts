/**
 * Forgetting a node: its ClusterNode and every resource below it leave a stack's exported state (`pulumi stack
 * export`), and the references other resources keep to them go too, so `pulumi stack import` takes it back and
 * the next `up` neither runs an undo against the gone host nor waits for it. Pure: JSON in, JSON out.
 */

/** One resource of an exported deployment, as far as forgetting needs it. */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly deletedWith?: string;
  readonly [key: string]: unknown;
}

/** The `deployment` of `pulumi stack export`. */
export interface Deployment {
  readonly resources?: readonly StateResource[];
  readonly pending_operations?: readonly { readonly resource: StateResource; readonly [key: string]: unknown }[];
  readonly [key: string]: unknown;
}

const CLUSTER_TYPE = "keepalived-ha:index:HaWebCluster";
const NODE_TYPE = "keepalived-ha:index:ClusterNode";

/** The name part of a URN (after the last `::`). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Node names the state knows, per cluster component: a ClusterNode is named `<cluster>-<node>`. */
export function nodesInState(deployment: Deployment): string[] {
  const resources = deployment.resources ?? [];
  const clusters = new Map(resources.filter((r) => r.type === CLUSTER_TYPE).map((r) => [r.urn, urnName(r.urn)]));
  return resources.filter((r) => r.type === NODE_TYPE && r.parent !== undefined && clusters.has(r.parent))
    .map((r) => urnName(r.urn).slice(clusters.get(r.parent!)!.length + 1));
}

/** What forgetting a node does to a deployment. */
export interface ForgetResult {
  /** The deployment without the node. */
  readonly deployment: Deployment;
  /** URNs removed: the ClusterNode and its descendants. */
  readonly removed: readonly string[];
}

/** Removes a node's ClusterNode and its descendants; throws naming the known nodes when there is no such node. */
export function forgetNode(deployment: Deployment, nodeName: string): ForgetResult {
  const resources = deployment.resources ?? [];
  const clusters = new Map(resources.filter((r) => r.type === CLUSTER_TYPE).map((r) => [r.urn, urnName(r.urn)]));
  const roots = resources.filter((r) => r.type === NODE_TYPE && r.parent !== undefined &&
    clusters.has(r.parent) && urnName(r.urn) === `${clusters.get(r.parent)}-${nodeName}`);
  if (roots.length === 0) {
    const known = nodesInState(deployment);
    throw new Error(`the stack's state has no node ${JSON.stringify(nodeName)}` +
      (known.length > 0 ? `; it has ${known.join(", ")}` : "; it has no nodes at all"));
  }
  const removed = new Set(roots.map((r) => r.urn));
  // Children come after their parents in a deployment, but do not rely on it: repeat until nothing is added.
  for (let grew = true; grew;) {
    grew = false;
    for (const r of resources) {
      if (!removed.has(r.urn) && r.parent !== undefined && removed.has(r.parent)) {
        removed.add(r.urn);
        grew = true;
      }
    }
  }
  const keep = (urns: readonly string[] | undefined) => urns?.filter((u) => !removed.has(u));
  const strip = (r: StateResource): StateResource => {
    const { deletedWith, ...rest } = r;
    return {
      ...rest,
      ...(r.dependencies !== undefined ? { dependencies: keep(r.dependencies) } : {}),
      ...(r.propertyDependencies !== undefined ? {
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, keep(v) ?? []])),
      } : {}),
      ...(deletedWith !== undefined && !removed.has(deletedWith) ? { deletedWith } : {}),
    };
  };
  return {
    deployment: {
      ...deployment,
      resources: resources.filter((r) => !removed.has(r.urn)).map(strip),
      ...(deployment.pending_operations !== undefined ? {
        pending_operations: deployment.pending_operations.filter((op) => !removed.has(op.resource.urn)),
      } : {}),
    },
    removed: resources.filter((r) => removed.has(r.urn)).map((r) => r.urn),
  };
}
