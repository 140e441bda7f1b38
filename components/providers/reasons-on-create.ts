/**
 * What a resource being created keeps of the reasons to run it again (a step's drift, the repairs the pre-flight
 * checks and the VIP probe hear of): none. A create runs anyway; reasons kept in the state would differ from the
 * empty list of the next run that finds the hosts in sync, and the engine rewrites the whole state for every
 * unchanged resource whose inputs differ (about 2 MB each at 8 nodes, once per step after a first `up`).
 * Used by the providers' `check`, whose `olds` are empty for a resource the state does not have yet.
 */
export function withoutReasonsOnCreate<T extends object>(olds: object | undefined, news: T, key: keyof T & string): T {
  const creating = olds === undefined || Object.keys(olds).length === 0;
  // An unknown value (a preview) is not an array: left alone.
  return creating && Array.isArray(news[key]) ? { ...news, [key]: [] } : news;
}
