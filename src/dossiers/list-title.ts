// The dossier list's heading and its page title. PURE.
import { COLUMN_INFO } from '../reports/definitions';
import { formatDate, narrowedTitle } from '../shared/format';
import { STATUS_NAMES } from './status';
import type { ListQuery } from './schema';

/** The list's heading: which of the desk's lists it is. */
export function listHeading(query: Partial<Pick<ListQuery, 'late' | 'dueSoon'>>): string {
  return query.late ? 'Hồ sơ quá hạn' : query.dueSoon ? 'Hồ sơ sắp đến hạn' : 'Danh sách hồ sơ';
}

/**
 * The page's title: the heading and what narrows the list (a report's number, a status, a search, a page). Every
 * filtered list was titled "Danh sách hồ sơ", so a clerk with a search, a report's number and the late list open in
 * tabs — or a screen reader announcing the page — could not tell them apart (WCAG 2.4.2).
 */
export function listTitle(query: Partial<Pick<ListQuery, 'late' | 'dueSoon' | 'status' | 'q' | 'page' | 'report' | 'from' | 'to'>>): string {
  const parts: string[] = [];
  if (query.report) {
    const day = /^\d{4}-\d{2}-\d{2}$/;
    const period = day.test(query.from ?? '') && day.test(query.to ?? '') ? ` kỳ ${formatDate(query.from)}–${formatDate(query.to)}` : '';
    parts.push(`cột (${COLUMN_INFO[query.report].no}) của báo cáo${period}`);
  }
  if (query.status) parts.push(query.status === 'open' ? 'chưa xong' : STATUS_NAMES[query.status].toLowerCase());
  if (query.q) parts.push(`tìm “${query.q}”`);
  if (query.page && query.page > 1) parts.push(`trang ${query.page}`);
  return narrowedTitle(listHeading(query), parts);
}
