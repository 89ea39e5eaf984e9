/** Gives every workspace module imported under a "?g=N" parent the same query, so each go loads fresh code. */
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL;
  if (!parent || !result.url.startsWith('file:') || result.url.includes('/node_modules/')) return result;
  const generation = new URL(parent).searchParams.get('g');
  if (generation === null) return result;
  const url = new URL(result.url);
  url.searchParams.set('g', generation);
  return { ...result, url: url.href };
}
