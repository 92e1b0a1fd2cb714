// The process-control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ) as a view model. PURE.
import { formatDateTime, localDate } from '../shared/format';
import type { DossierEventRow, DossierRow } from './repository';

export type Timeliness = 'early' | 'on_time' | 'late';
export const TIMELINESS_NAMES: Record<Timeliness, string> = { early: 'Trước hạn', on_time: 'Đúng hạn', late: 'Quá hạn' };

export interface ControlStep {
  from: string;
  to: string;
  at: string;
  actor: string;
  timeliness: Timeliness;
  notes: string[];
}

/** Early = before the deadline and on an earlier local day; on time = by the deadline; late = after it. */
export function judge(at: string, dueAt: string): Timeliness {
  if (at > dueAt) return 'late';
  return localDate(at) < localDate(dueAt) ? 'early' : 'on_time';
}

const DESK = 'Bộ phận tiếp nhận và trả kết quả';

/**
 * One step per hand-over: desk → handling agency at intake, agency → agency at each transfer,
 * agency → desk when the result is ready, desk → citizen at return. Supplements and pauses in
 * between become notes on the step they interrupt. Each step is judged against the deadline in
 * force at that moment (supplements and pauses move it).
 */
export function controlSlipSteps(row: DossierRow, events: DossierEventRow[], agencyName: (code: string) => string): ControlStep[] {
  const steps: ControlStep[] = [];
  let dueAt = row.due_at;
  let holder = row.agency_code;
  const receive = events.find((e) => e.type === 'receive');
  if (receive) {
    const data = JSON.parse(receive.data) as { dueAt?: string };
    dueAt = data.dueAt ?? dueAt;
  }
  // The first holder is the agency before any transfer.
  const firstTransfer = events.find((e) => e.type === 'transfer');
  if (firstTransfer) holder = (JSON.parse(firstTransfer.data) as { fromAgencyCode: string }).fromAgencyCode;

  for (const e of events) {
    const data = JSON.parse(e.data) as Record<string, string | undefined>;
    if (data.dueAt && e.type !== 'receive') dueAt = data.dueAt;
    const step = (from: string, to: string) =>
      steps.push({ from, to, at: e.at, actor: e.actor_name, timeliness: judge(e.at, dueAt), notes: [] });
    switch (e.type) {
      case 'receive':
        step(`${DESK} (${agencyName(row.received_agency_code)})`, agencyName(holder));
        break;
      case 'transfer':
        step(agencyName(data.fromAgencyCode ?? holder), agencyName(data.toAgencyCode ?? ''));
        holder = data.toAgencyCode ?? holder;
        break;
      case 'resolve':
        step(agencyName(holder), DESK);
        if (data.outcome === 'refused') steps[steps.length - 1].notes.push(`Từ chối: ${data.reason ?? ''}`);
        break;
      case 'return':
        step(DESK, row.applicant_name);
        break;
      default: {
        const last = steps[steps.length - 1];
        const what: Record<string, string> = {
          request_supplement: 'Yêu cầu bổ sung',
          receive_supplement: 'Nhận bổ sung',
          pause: 'Tạm dừng',
          resume: 'Tiếp tục',
          withdraw: 'Công dân rút hồ sơ',
          recompute_due: 'Tính lại hạn',
          apology_issued: 'Phát hành văn bản xin lỗi',
          correct: 'Sửa thông tin hồ sơ',
        };
        if (last) last.notes.push(`${what[e.type] ?? e.type} ${formatDateTime(e.at)}${data.reason ? `: ${data.reason}` : ''}`);
      }
    }
  }
  return steps;
}

/**
 * The agencies the dossier went through besides the one resolving it, in the order it reached them (liên thông): the
 * slip's "Cơ quan phối hợp giải quyết", a line of the form that was missing.
 */
export function coordinatingAgencies(row: DossierRow, events: DossierEventRow[]): string[] {
  const codes: string[] = [];
  for (const e of events) {
    if (e.type !== 'transfer') continue;
    const data = JSON.parse(e.data) as { fromAgencyCode?: string; toAgencyCode?: string };
    for (const code of [data.fromAgencyCode, data.toAgencyCode]) if (code && code !== row.agency_code && !codes.includes(code)) codes.push(code);
  }
  return codes;
}
