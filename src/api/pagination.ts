import { firstValue, z } from '../shared/validation';

// Every list of the API answers {items, total, page, pageSize} and reads `page` (from 1) and `pageSize`, refusing a
// value that is not one (strictPageFields); a page a browser's address leads to falls back to the default instead.

export const MAX_PAGE = 100_000;

export function pageQuerySchema(defaultSize: number, maxSize: number) {
  return z.object({
    page: firstValue(z.coerce.number().int().min(1).max(MAX_PAGE)).catch(1),
    pageSize: firstValue(z.coerce.number().int().min(1).max(maxSize)).catch(defaultSize),
  });
}

/**
 * `page` and `pageSize` of a list whose bad value is refused (422) instead of falling back to the default: the
 * letters' and the refusals' lists, which answered so before pageQuerySchema was shared.
 */
export function strictPageFields(defaultSize: number, maxSize: number) {
  return {
    page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
    pageSize: z.coerce.number().int().min(1).max(maxSize).default(defaultSize),
  };
}

/** One page of a list that is already in memory (the catalog's lists are short). */
export function pageOf<T>(all: T[], q: { page: number; pageSize: number }) {
  const start = (q.page - 1) * q.pageSize;
  return { items: all.slice(start, start + q.pageSize), total: all.length, page: q.page, pageSize: q.pageSize };
}
