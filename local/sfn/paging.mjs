// AWS-style pagination over an in-memory list. The token is the offset into
// the list, so pages stay stable while a running execution appends events.

/**
 * @param {Array} items the full, already ordered list
 * @param {number|undefined} maxResults AWS maxResults (0/absent: default page)
 * @param {string|undefined} nextToken the token of the previous page
 * @param {number} max the API's largest page
 */
export function page(items, maxResults, nextToken, max = 1000) {
  const limit = maxResults > 0 ? Math.min(maxResults, max) : 100;
  const start = nextToken ? Number.parseInt(Buffer.from(nextToken, 'base64').toString(), 10) || 0 : 0;
  const end = start + limit;
  const next = end < items.length ? Buffer.from(String(end)).toString('base64') : undefined;
  return { items: items.slice(start, end), nextToken: next };
}
