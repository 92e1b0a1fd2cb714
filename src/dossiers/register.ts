// The desk's register (Sổ theo dõi hồ sơ: FORMS.md; Mẫu 06 of Thông tư 01/2018, Mẫu 07 of 03/2025): the dossiers
// one desk received over some days, a line each, as the book the desk keeps, printed on A4 landscape.
// registerDays makes the lines (PURE); readRegister reads what they are made of; registerXlsx writes them for Excel.
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { User } from '../auth/users';
import { getAgency, listAgencies, type Agency } from '../catalog/repository';
import type { AppContext } from '../shared/context';
import { addDays, formatDate, formatDateTime, formatNumber, fromLocal, isoLocal, localDate, SHEET_DATE_TIME, sheetDateTime } from '../shared/format';
import { linesHeight, type SheetSize, wrappedLines, wrappedRowHeight } from '../shared/sheet-rows';
import { registerDay } from './service';
import { STATUS_NAMES, type Status } from './status';

/** The most days one printed register covers, and the most lines: a month of the busiest desk is ~15,000 dossiers. */
export const REGISTER_MAX_DAYS = 31;
export const REGISTER_MAX_LINES = 3000;

/** What a line is made of: a dossier the desk received, with the names of its procedure and handling agency. */
export interface RegisterSource {
  id: number;
  code: string;
  received_agency_code: string;
  agency_code: string;
  procedure_name: string;
  sets: number;
  applicant_name: string;
  applicant_address: string | null;
  applicant_phone: string | null;
  received_at: string;
  due_at: string;
  appointment_at: string;
  status: Status;
  finished_at: string | null;
  returned_at: string | null;
  outcome: 'approved' | 'refused' | null;
  outcome_reason: string | null;
}

/** A transfer of one of those dossiers: its event's instant and data ({ fromAgencyCode, toAgencyCode }). */
export interface RegisterTransfer {
  dossier_id: number;
  at: string;
  data: string;
}

/** A line of the book: its dates are instants as stored (UTC ISO), null where the book leaves the cell empty. */
export interface RegisterLine {
  /** The day's number the receipt gives ("Số thứ tự"), for a code the desk issued; null for a code kept from another system. */
  number: number | null;
  code: string;
  procedureName: string;
  sets: number;
  applicantName: string;
  applicantAddress: string | null;
  applicantPhone: string | null;
  /** the agency that resolves it (Cơ quan chủ trì giải quyết) */
  agencyCode: string;
  agencyName: string;
  receivedAt: string;
  appointmentAt: string;
  /** handed to the agency that resolves it (at receipt, when that is not the desk's own agency) */
  sentAt: string | null;
  /** the result back from that agency */
  resultAt: string | null;
  returnedAt: string | null;
  notes: string[];
}

export interface RegisterDay {
  date: string;
  lines: RegisterLine[];
}

/** The number in a code the desk issued on its day (<desk>-<yymmdd>-<number>), or null. */
export function dailyNumber(code: string, desk: string, receivedAt: string): number | null {
  const prefix = `${desk}-${registerDay(new Date(receivedAt))}-`;
  if (!code.startsWith(prefix)) return null;
  const tail = code.slice(prefix.length);
  return /^\d+$/.test(tail) ? Number(tail) : null;
}

/** Strings (ISO instants, local dates) in their order. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The register's days, each with its lines in the order of the book: the numbers the desk issued, then dossiers kept
 * under another system's code, by their receipt. A dossier is late when finished after its deadline, or still open
 * past it at `now`.
 */
export function registerDays(rows: readonly RegisterSource[], transfers: readonly RegisterTransfer[], opts: { now: Date; agencyName: (code: string) => string }): RegisterDay[] {
  const moves = new Map<number, { at: string; from: string; to: string }[]>();
  for (const t of [...transfers].sort((a, b) => byText(a.at, b.at))) {
    const data = JSON.parse(t.data) as { fromAgencyCode?: string; toAgencyCode?: string };
    const list = moves.get(t.dossier_id) ?? [];
    list.push({ at: t.at, from: data.fromAgencyCode ?? '', to: data.toAgencyCode ?? '' });
    moves.set(t.dossier_id, list);
  }
  const now = opts.now.toISOString();
  // The book's order: day, then the desk's numbers, then codes kept from another system (no number) by receipt.
  const ordered = rows
    .map((r) => ({ r, date: localDate(r.received_at), number: dailyNumber(r.code, r.received_agency_code, r.received_at) }))
    .sort((a, b) => byText(a.date, b.date) || (a.number ?? Infinity) - (b.number ?? Infinity) || byText(a.r.received_at, b.r.received_at) || a.r.id - b.r.id);
  const days: RegisterDay[] = [];
  for (const { r, date, number } of ordered) {
    const moved = moves.get(r.id) ?? [];
    // The agency it was handed to at receipt: before any transfer, the first transfer's origin.
    const firstAgency = moved[0]?.from || r.agency_code;
    const notes: string[] = [];
    if (r.status === 'withdrawn') notes.push(`Công dân rút hồ sơ ${formatDateTime(r.finished_at)}`);
    else if (!r.finished_at) notes.push(STATUS_NAMES[r.status]);
    if (r.outcome === 'refused') notes.push(`Từ chối${r.outcome_reason ? `: ${r.outcome_reason}` : ''}`);
    for (const m of moved) notes.push(`Chuyển ${opts.agencyName(m.to)} ${formatDateTime(m.at)}`);
    if (r.status !== 'withdrawn' && (r.finished_at ?? now) > r.due_at) notes.push('Quá hạn');
    if (days[days.length - 1]?.date !== date) days.push({ date, lines: [] });
    days[days.length - 1].lines.push({
      number,
      code: r.code,
      procedureName: r.procedure_name,
      sets: r.sets,
      applicantName: r.applicant_name,
      applicantAddress: r.applicant_address,
      applicantPhone: r.applicant_phone,
      agencyCode: r.agency_code,
      agencyName: opts.agencyName(r.agency_code),
      receivedAt: r.received_at,
      appointmentAt: r.appointment_at,
      sentAt: firstAgency !== r.received_agency_code ? r.received_at : null,
      resultAt: r.outcome ? r.finished_at : null,
      returnedAt: r.returned_at,
      notes,
    });
  }
  return days;
}

/**
 * The book ("Quyển số") the register's days are written in: the desk keeps one a year, numbered by its year, as the
 * receipt prints it ("Vào Sổ theo dõi hồ sơ, Quyển số: 2027"). Days across 31 December lie in two books, each named
 * with its days: "2026 (28/12/2026 – 31/12/2026), 2027 (01/01/2027 – 04/01/2027)".
 */
export function registerBooks(from: string, to: string): string {
  const [first, last] = [Number(from.slice(0, 4)), Number(to.slice(0, 4))];
  if (first === last) return String(first);
  const books: string[] = [];
  for (let year = first; year <= last; year++) {
    const start = year === first ? from : `${year}-01-01`;
    const end = year === last ? to : `${year}-12-31`;
    books.push(`${year} (${start === end ? formatDate(start) : `${formatDate(start)} – ${formatDate(end)}`})`);
  }
  return books.join(', ');
}

/** The register's line under its title: its days and its books, on the page and in the Excel file alike. */
export function registerPeriodLine(from: string, to: string): string {
  const days = from === to ? `Ngày ${formatDate(from)}` : `Từ ngày ${formatDate(from)} đến ngày ${formatDate(to)}`;
  return `${days} · Quyển số: ${registerBooks(from, to)}`;
}

/** The instants that bound local days `from` to `to` (YYYY-MM-DD), as stored. */
export function registerWindow(from: string, to: string): { start: string; end: string } {
  return { start: fromLocal(from).toISOString(), end: fromLocal(addDays(to, 1)).toISOString() };
}

/**
 * The dossiers `desk` received on local days `from` to `to`, with their transfers; none and `more` when there are more
 * than `maxLines`, a register too long to print at once. Printed forms join the catalog's names, exact at every instant.
 */
export async function readRegister(
  db: Knex,
  desk: string,
  from: string,
  to: string,
  maxLines = REGISTER_MAX_LINES,
): Promise<{ rows: RegisterSource[]; transfers: RegisterTransfer[]; more: boolean }> {
  const { start, end } = registerWindow(from, to);
  const rows: RegisterSource[] = await db('dossiers as d')
    .join('procedures as p', 'p.code', 'd.procedure_code')
    .where('d.received_agency_code', desk)
    .where('d.received_at', '>=', start)
    .where('d.received_at', '<', end)
    .orderBy([{ column: 'd.received_at' }, { column: 'd.id' }])
    .limit(maxLines + 1)
    .select(
      'd.id', 'd.code', 'd.received_agency_code', 'd.agency_code', 'p.name as procedure_name', 'd.sets', 'd.applicant_name', 'd.applicant_address',
      'd.applicant_phone', 'd.received_at', 'd.due_at', 'd.appointment_at', 'd.status', 'd.finished_at', 'd.returned_at', 'd.outcome', 'd.outcome_reason',
    );
  const more = rows.length > maxLines;
  if (more) return { rows: [], transfers: [], more };
  // The lines' transfers by their ids, a few hundred at a time: joined again by desk and days, they were looked for
  // through every dossier the city received in those days (37 ms for a commune's month on the bench's million).
  const transfers: RegisterTransfer[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const ids = rows.slice(i, i + 500).map((r) => r.id);
    transfers.push(...(await db('dossier_events').whereIn('dossier_id', ids).where('type', 'transfer').select('dossier_id', 'at', 'data')));
  }
  return { rows, transfers, more };
}

/**
 * The register someone asked for, as the page and the API answer it: the days (`to` alone, `from` alone or neither:
 * that one day, today by default; at most REGISTER_MAX_DAYS) of a clerk's or head's own desk, or of the desk an
 * admin names. Otherwise why not, for the caller to say beside its own fields: more days than one register holds, a
 * desk that does not exist, an admin who named no desk, too many lines, a user of no agency, another desk's book.
 */
export type AskedRegister =
  | { kind: 'register'; desk: Agency; from: string; to: string; days: RegisterDay[] }
  | { kind: 'too_many_days' | 'unknown_desk' | 'no_desk' | 'too_long'; from: string; to: string; deskCode?: string }
  | { kind: 'no_agency' }
  | { kind: 'other_desk' };

export async function askRegister(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  user: User,
  query: { from?: string; to?: string; agency?: string },
): Promise<AskedRegister> {
  const today = localDate(ctx.clock.now());
  const from = query.from ?? query.to ?? today;
  const to = query.to ?? (query.from ? from : today);
  if (addDays(from, REGISTER_MAX_DAYS - 1) < to) return { kind: 'too_many_days', from, to };
  const deskCode = user.role === 'admin' ? query.agency : user.agencyCode;
  if (!deskCode) return user.role === 'admin' ? { kind: 'no_desk', from, to } : { kind: 'no_agency' };
  // Another desk's book asked by one who keeps their own: refused, as the report refuses it (it answered their own).
  if (user.role !== 'admin' && query.agency && query.agency !== deskCode) return { kind: 'other_desk' };
  const desk = await getAgency(ctx.db, deskCode);
  if (!desk) return { kind: 'unknown_desk', from, to, deskCode };
  const { rows, transfers, more } = await readRegister(ctx.db, desk.code, from, to);
  if (more) return { kind: 'too_long', from, to };
  const names = new Map((await listAgencies(ctx.db)).map((a) => [a.code, a.name]));
  return { kind: 'register', desk, from, to, days: registerDays(rows, transfers, { now: ctx.clock.now(), agencyName: (code) => names.get(code) ?? code }) };
}

/** Why a register was not given, in Vietnamese. */
export const REGISTER_REFUSALS = {
  no_desk: 'Chọn cơ quan có sổ cần in.',
  no_agency: 'Tài khoản chưa thuộc cơ quan nào.',
  other_desk: 'Bạn chỉ xem được sổ theo dõi của cơ quan mình.',
  too_long: `Những ngày này có hơn ${formatNumber(REGISTER_MAX_LINES)} hồ sơ, quá nhiều để in một lần: chọn ít ngày hơn.`,
} as const;

/** The register's column heads: the seven of their own, then the five dates under one, then the last two. */
export const REGISTER_COLUMNS = [
  'STT', 'Mã hồ sơ', 'Tên thủ tục hành chính', 'Số lượng hồ sơ (bộ)', 'Tên cá nhân, tổ chức', 'Địa chỉ, số điện thoại', 'Cơ quan chủ trì giải quyết',
  'Nhận hồ sơ', 'Hẹn trả kết quả', 'Chuyển hồ sơ đến cơ quan giải quyết', 'Nhận kết quả từ cơ quan giải quyết', 'Trả kết quả',
  'Ký nhận', 'Ghi chú',
] as const;

/**
 * A line's fourteen cells as the book shows them, in the columns' order (the page and the workbook alike); the five
 * dates (8)…(12) as `date` gives them: text for the page, the spreadsheet's dates for the workbook.
 */
export function registerCells<D = string>(l: RegisterLine, date: (at: string | null) => D = formatDateTime as (at: string | null) => D): (string | number | D)[] {
  return [
    l.number ?? '', l.code, l.procedureName, l.sets, l.applicantName, [l.applicantAddress, l.applicantPhone].filter(Boolean).join('; '), l.agencyName,
    date(l.receivedAt), date(l.appointmentAt), date(l.sentAt), date(l.resultAt), date(l.returnedAt),
    '', l.notes.join('; '),
  ];
}

/** A line in the JSON API: instants with the +07:00 offset (SPEC §7). */
export function registerLineJson(l: RegisterLine) {
  return {
    number: l.number,
    code: l.code,
    procedureName: l.procedureName,
    sets: l.sets,
    applicant: { name: l.applicantName, address: l.applicantAddress, phone: l.applicantPhone },
    handlingAgency: { code: l.agencyCode, name: l.agencyName },
    receivedAt: isoLocal(l.receivedAt),
    appointmentAt: isoLocal(l.appointmentAt),
    sentAt: isoLocal(l.sentAt),
    resultAt: isoLocal(l.resultAt),
    returnedAt: isoLocal(l.returnedAt),
    notes: l.notes,
  };
}

/** The workbook's table (head and lines) is of 10 pt; its heading keeps the form's 11 and 13. */
const SHEET_SIZE: SheetSize = 10;

/**
 * The workbook's columns' widths, in the spreadsheet's units (a unit prints 5.545 pt in LibreOffice, 5.25 in Excel):
 * 176.5 fit A4 landscape between margins of 0.25" (805.9 pt) at 80-82% in LibreOffice (about 87% in Excel), the
 * table's 10 pt printed at 8. A date's 'hh:mm dd/mm/yyyy' needs 14 (13 shows '###'); a code wraps after its desk
 * ('000.01.01.H13-' / '261202-0005') from 12.
 */
const SHEET_WIDTHS = [4.5, 12.5, 25, 5, 11, 15, 12, 14.5, 14.5, 14.5, 14.5, 14.5, 7, 12];

/** The register as an Excel workbook laid out as the printed form: heading, the two-row head and (1)…(14), the days. */
export async function registerXlsx(view: { formLine: string; parentName: string; deskName: string; from: string; to: string; days: RegisterDay[] }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Một cửa – Theo dõi hồ sơ';
  // Printed one page wide on A4 landscape, narrow margins, no smaller than the widths above make it.
  const ws = wb.addWorksheet('Sổ theo dõi hồ sơ', {
    pageSetup: {
      paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true,
      margins: { left: 0.25, right: 0.25, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
  });
  ws.columns = SHEET_WIDTHS.map((width) => ({ width }));
  const heading = { name: 'Times New Roman', size: 11 };
  const font = { ...heading, size: SHEET_SIZE };
  const thin = { style: 'thin' as const };
  const border = { top: thin, left: thin, bottom: thin, right: thin };
  const line = (r: number, text: string, style: Partial<ExcelJS.Font> = {}, horizontal: 'left' | 'center' | 'right' = 'center') => {
    ws.mergeCells(r, 1, r, 14);
    const cell = ws.getCell(r, 1);
    cell.value = text;
    cell.font = { ...heading, ...style };
    cell.alignment = { horizontal };
  };
  line(1, view.formLine, { italic: true }, 'right');
  line(2, view.parentName.toUpperCase());
  line(3, view.deskName.toUpperCase(), { bold: true });
  line(4, 'SỔ THEO DÕI HỒ SƠ', { bold: true, size: 13 });
  line(5, registerPeriodLine(view.from, view.to), { bold: true });
  const top = 7;
  REGISTER_COLUMNS.forEach((text, i) => {
    const col = i + 1;
    if (col >= 8 && col <= 12) ws.getCell(top + 1, col).value = text;
    else {
      ws.mergeCells(top, col, top + 1, col);
      ws.getCell(top, col).value = text;
    }
    ws.getCell(top + 2, col).value = `(${col})`;
  });
  ws.mergeCells(top, 8, top, 12);
  ws.getCell(top, 8).value = 'Ngày, tháng, năm';
  for (let r = top; r <= top + 2; r++) {
    for (let c = 1; c <= 14; c++) {
      const cell = ws.getCell(r, c);
      cell.font = { ...font, bold: r < top + 2, italic: r === top + 2 };
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.border = border;
    }
  }
  // The heads wrap in their narrow columns: the dates' in row 8 under 'Ngày, tháng, năm', the others over rows 7 and 8.
  const headLines = REGISTER_COLUMNS.map((text, i) => wrappedLines(text, SHEET_WIDTHS[i], SHEET_SIZE, true) - (i >= 7 && i <= 11 ? 0 : 1));
  ws.getRow(top).height = linesHeight(1, SHEET_SIZE);
  ws.getRow(top + 1).height = linesHeight(Math.max(...headLines), SHEET_SIZE);
  ws.views = [{ state: 'frozen', ySplit: top + 2 }];
  // A month runs to dozens of pages: each repeats the column heads and says which page it is.
  ws.pageSetup.printTitlesRow = `${top}:${top + 2}`;
  ws.headerFooter.oddFooter = '&CTrang &P/&N';
  let r = top + 3;
  for (const day of view.days) {
    if (view.from !== view.to) {
      ws.mergeCells(r, 1, r, 14);
      const cell = ws.getCell(r, 1);
      cell.value = `Ngày ${formatDate(day.date)} (${day.lines.length} hồ sơ)`;
      cell.font = { ...font, bold: true };
      cell.border = border;
      r++;
    }
    for (const l of day.lines) {
      // The five dates are dates to the spreadsheet, not text: sorted and filtered by day, not by the hour that leads
      // their text.
      registerCells(l, sheetDateTime).forEach((value, i) => {
        const cell = ws.getCell(r, i + 1);
        cell.value = value;
        if (value instanceof Date) cell.numFmt = SHEET_DATE_TIME;
        cell.font = font;
        cell.border = border;
        cell.alignment = { vertical: 'top', wrapText: true, horizontal: i === 0 || i === 3 ? 'center' : undefined };
      });
      // Every cell wraps: the row takes the lines of its longest (a procedure's name runs to five or six).
      const height = wrappedRowHeight(registerCells(l).map((text, i) => ({ text: String(text), width: SHEET_WIDTHS[i] })), SHEET_SIZE);
      if (height) ws.getRow(r).height = height;
      r++;
    }
  }
  if (!view.days.length) line(r, 'Không có hồ sơ nào được tiếp nhận trong những ngày này.', { italic: true, size: SHEET_SIZE });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
