// Paged lists as async iterators. The client moves the offset itself (offset += items received) and
// reads `next` only as "there may be more": following the server's next URL would let an answer send
// the token to another host. The public API gives a next link after every non-empty page, so the
// last page is followed by one empty page (cloud-api.md §4); that page ends the walk.

import { CloudApiError } from "./errors.ts";

export interface Page<T> {
  items: T[];
  /** The server says there may be more (a non-empty next link, or a full page where there is no link). */
  more: boolean;
}

export interface PageOptions {
  /** Stop after this many items (default: all). */
  limit?: number | undefined;
  /** Items asked per request (1-100). */
  pageSize: number;
}

export async function* paginate<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  options: PageOptions,
): AsyncGenerator<T, void, undefined> {
  const limit = options.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new CloudApiError({
      kind: "invalid-argument",
      message: `limit must be a whole number of at least 1 (got ${limit}).`,
      hint: "Leave limit unset to list everything.",
    });
  }
  let remaining = limit ?? Number.POSITIVE_INFINITY;
  let offset = 0;
  while (remaining > 0) {
    const asked = Math.min(options.pageSize, remaining);
    const page = await fetchPage(offset, asked);
    if (page.items.length === 0) return;
    for (const item of page.items) {
      if (remaining <= 0) return;
      remaining--;
      yield item;
    }
    offset += page.items.length;
    if (!page.more) return;
  }
}

/** Every item of an async iterable, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
