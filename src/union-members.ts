/**
 * A string union's members as a list, for the places that need them at run time (JSON Schema
 * enumerations, the report's lookup tables, option choices). `everyMember<PlanStatus>()('planned',
 * …)` does not compile while a member is missing, naming it, so a list follows its union when the
 * union grows.
 */
export function everyMember<T extends string>() {
  return <const L extends readonly T[]>(...values: L & ([Exclude<T, L[number]>] extends [never] ? unknown : { readonly missing: Exclude<T, L[number]> })): readonly T[] => values;
}
