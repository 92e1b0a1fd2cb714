import type { Knex } from 'knex';
import { hashPassword } from '../src/auth/passwords';
import type { Role } from '../src/auth/users';
import { loadEntries } from '../src/calendar/repository';
import { activeProceduresByCode, SERVICE_CENTRE_KIND } from '../src/catalog/repository';
import { computeDue, formatLocal, WorkCalendar, type TraceStep, type WorkingPeriod } from '../src/calendar/working-time';
import { formatDossierCode, registerDay } from '../src/dossiers/service';
import { stateIntervals } from '../src/dossiers/lifecycle';
import type { DossierRow } from '../src/dossiers/repository';
import type { Channel } from '../src/dossiers/schema';
import type { Status } from '../src/dossiers/status';
import { localDate } from '../src/shared/format';

// Demo data: users of every role and ~2,000 dossiers of the last three months, with histories that
// follow the lifecycle of SPEC §4. Everything comes from one seeded PRNG, so a given `now` always
// gives the same database.

export interface DemoUser {
  username: string;
  password: string;
  role: Role;
  note: string;
}

export interface SeedDemoOptions {
  now: Date;
  periods?: WorkingPeriod[];
  /** How many dossiers; default 2,000. */
  dossiers?: number;
}

const DEMO_PASSWORD = 'demo1234';
const RANDOM_SEED = 20261120;

// ---------------------------------------------------------------------------------------------
// Randomness

/** mulberry32: a tiny, fast, seedable PRNG giving floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let r = this.next() * items.reduce((s, [, w]) => s + w, 0);
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[items.length - 1][0];
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// People, places, papers

// Family names weighted roughly as in the south (Nguyễn first, Trần, Lê; Huỳnh and Võ common in the Mekong delta).
const FAMILY: [string, number][] = [
  ['Nguyễn', 31], ['Trần', 11], ['Lê', 9], ['Huỳnh', 6], ['Phạm', 6], ['Võ', 5], ['Phan', 4], ['Trương', 3],
  ['Đặng', 2], ['Bùi', 2], ['Đỗ', 2], ['Hồ', 2], ['Ngô', 2], ['Dương', 2], ['Lý', 2], ['Lâm', 2],
  ['Hoàng', 2], ['Châu', 1], ['Đinh', 1], ['Tô', 1], ['Mai', 1], ['Thái', 1], ['Quách', 1], ['La', 1],
];
const MIDDLE_MALE = ['Văn', 'Văn', 'Văn', 'Minh', 'Quốc', 'Hữu', 'Thanh', 'Hoàng', 'Đức', 'Công', 'Tấn', 'Trọng', 'Chí', 'Phước'];
const MIDDLE_FEMALE = ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Bích', 'Hồng', 'Thùy', 'Diễm', 'Phương'];
const GIVEN_MALE = [
  'An', 'Bình', 'Cường', 'Dũng', 'Duy', 'Hải', 'Hiếu', 'Hùng', 'Huy', 'Khang', 'Khoa', 'Kiệt', 'Long', 'Lộc',
  'Luân', 'Minh', 'Nam', 'Nghĩa', 'Nhân', 'Phát', 'Phong', 'Phúc', 'Quang', 'Sang', 'Sơn', 'Tài', 'Tâm',
  'Thành', 'Thắng', 'Thiện', 'Toàn', 'Trí', 'Trung', 'Tuấn', 'Việt', 'Vinh', 'Vũ',
];
const GIVEN_FEMALE = [
  'Anh', 'Châu', 'Diễm', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hằng', 'Hân', 'Hoa', 'Hương', 'Lan', 'Liên', 'Linh',
  'Loan', 'Mai', 'My', 'Ngân', 'Nguyệt', 'Nhi', 'Nhung', 'Oanh', 'Phượng', 'Quyên', 'Thảo', 'Thư', 'Trang',
  'Trinh', 'Tuyết', 'Uyên', 'Vân', 'Vy', 'Xuân', 'Yến',
];
const STREETS = [
  'đường 30 Tháng 4', 'đường 3 Tháng 2', 'đường Nguyễn Văn Cừ', 'đường Trần Hưng Đạo', 'đường Mậu Thân',
  'đường Nguyễn Trãi', 'đại lộ Hòa Bình', 'đường Trần Văn Hoài', 'đường Lý Tự Trọng', 'đường Cách Mạng Tháng Tám',
  'đường Võ Văn Kiệt', 'đường Nguyễn Văn Linh', 'đường Trần Phú', 'đường Hùng Vương', 'đường Phạm Ngũ Lão',
  'đường Lê Hồng Phong', 'đường Quang Trung', 'đường Trần Quang Diệu', 'đường Nguyễn Việt Hồng', 'đường Ngô Quyền',
];
const HAMLETS = ['Ấp Nhơn Lộc', 'Ấp Thạnh Hòa', 'Ấp Tân Bình', 'Ấp Mỹ Phụng', 'Ấp Trường Thọ', 'Ấp Phú Thạnh', 'Ấp Thới Hòa', 'Ấp Long Châu'];
const COMPANY_KINDS = ['Xây dựng', 'Thương mại Dịch vụ', 'Đầu tư Phát triển', 'Kỹ thuật Công nghệ', 'Nông sản', 'Vận tải', 'Bất động sản', 'Thủy sản'];
const COMPANY_NAMES = ['Phú Cường', 'Tây Đô', 'Mê Kông Xanh', 'Hưng Thịnh', 'Phát Đạt', 'An Khang', 'Sông Hậu', 'Thành Công', 'Cửu Long', 'Nam Phát', 'Bình Minh', 'Hậu Giang'];
// Foreign "tỉnh" codes of a CCCD: Cần Thơ 092 most, then the neighbours.
const CCCD_PROVINCES: [string, number][] = [['092', 70], ['093', 8], ['094', 8], ['086', 5], ['089', 4], ['079', 5]];

// Which fields get more or fewer dossiers at a desk: chứng thực, hộ tịch and cư trú fill a ward's day.
const FIELD_WEIGHT: Record<string, number> = {
  CHUNG_THUC: 14, HO_TICH: 3, CU_TRU: 4, HO_KINH_DOANH: 3, DAT_DAI: 2, XAY_DUNG: 2,
  DKKD: 8, LY_LICH_TU_PHAP: 10, DANG_KY_BPBD: 3, DUONG_BO: 2,
};
// Fields where a company rather than a person usually applies, with the share of companies.
const COMPANY_SHARE: Record<string, number> = {
  DKKD: 1, XAY_DUNG: 0.4, DUONG_BO: 0.6, MOI_TRUONG: 0.6, TAI_NGUYEN_NUOC: 0.5, DANG_KY_BPBD: 0.4, NHA_O_CONG_SO: 0.3,
};
// Land and compensation files are late much more often than the rest (SPEC §5 reports).
const LATE_PRONE = new Set(['DAT_DAI', 'TAI_CHINH_DAT_DAI', 'BOI_THUONG_TDC', 'BOI_THUONG_NHA_NUOC']);

const DOCUMENTS: Record<string, string[]> = {
  HO_TICH: ['Tờ khai theo mẫu', 'Bản sao CCCD của người yêu cầu'],
  CHUNG_THUC: ['Bản chính giấy tờ cần chứng thực', 'Bản sao cần chứng thực'],
  CU_TRU: ['Tờ khai thay đổi thông tin cư trú (CT01)', 'Giấy tờ chứng minh chỗ ở hợp pháp'],
  DAT_DAI: ['Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04/ĐK)', 'Giấy chứng nhận đã cấp', 'Hợp đồng, văn bản về chuyển quyền'],
  XAY_DUNG: ['Đơn đề nghị cấp giấy phép xây dựng', 'Bản vẽ thiết kế xây dựng', 'Giấy tờ về quyền sử dụng đất'],
  DKKD: ['Giấy đề nghị đăng ký doanh nghiệp', 'Điều lệ công ty', 'Danh sách thành viên'],
};
const DEFAULT_DOCUMENTS = ['Đơn (tờ khai) theo mẫu', 'Giấy tờ tùy thân của người nộp'];

const SUPPLEMENT_REASONS = [
  'Hồ sơ chưa đủ thành phần theo quy định',
  'Thông tin trên tờ khai chưa thống nhất với giấy tờ kèm theo',
  'Giấy tờ kèm theo hết hiệu lực hoặc chưa được chứng thực',
];
const SUPPLEMENT_ITEMS: Record<string, string[]> = {
  DAT_DAI: ['Bản vẽ sơ đồ thửa đất', 'Hợp đồng chuyển nhượng đã công chứng', 'Văn bản thỏa thuận phân chia di sản', 'Biên lai nộp thuế đất năm gần nhất'],
  XAY_DUNG: ['Bản vẽ mặt bằng móng', 'Bản vẽ mặt cắt, mặt đứng công trình', 'Văn bản cam kết bảo đảm an toàn công trình liền kề'],
  HO_TICH: ['Giấy xác nhận tình trạng hôn nhân', 'Bản sao giấy chứng sinh', 'Văn bản ủy quyền có chứng thực'],
};
const DEFAULT_SUPPLEMENT_ITEMS = ['Bản sao CCCD có chứng thực', 'Tờ khai có đủ chữ ký', 'Văn bản ủy quyền có chứng thực'];
const PAUSE_REASONS = [
  'Chờ người sử dụng đất thực hiện nghĩa vụ tài chính',
  'Chờ kết quả thẩm định giá đất cụ thể',
  'Chờ ý kiến của cơ quan có liên quan (liên thông)',
  'Chờ kết quả đo đạc, kiểm tra thực địa',
];
const REFUSAL_REASONS = [
  'Người yêu cầu không đủ điều kiện theo quy định của pháp luật',
  'Nội dung đề nghị không phù hợp với quy hoạch đã được phê duyệt',
  'Thông tin trên hồ sơ không khớp với Cơ sở dữ liệu quốc gia về dân cư',
  'Tài sản, thửa đất đang có tranh chấp, chưa đủ điều kiện giải quyết',
];
const WITHDRAW_REASONS = [
  'Công dân có đơn xin rút hồ sơ',
  'Người nộp đề nghị rút hồ sơ để hoàn thiện lại giấy tờ',
  'Các bên thỏa thuận không tiếp tục thực hiện giao dịch',
];

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

interface Applicant {
  name: string;
  idNumber: string;
  phone: string;
  email: string | null;
  address: string;
}

/** "Ủy ban nhân dân Phường Ninh Kiều" -> "Phường Ninh Kiều" */
const placeOf = (agencyName: string) => agencyName.replace(/^Ủy ban nhân dân\s+/i, '');

function makeAddress(dice: Dice, place: string): string {
  if (/^Xã/.test(place)) return `${dice.pick(HAMLETS)}, ${place}, thành phố Cần Thơ`;
  return `Số ${dice.int(1, 320)}${dice.chance(0.2) ? `/${dice.int(2, 40)}` : ''} ${dice.pick(STREETS)}, ${place}, thành phố Cần Thơ`;
}

function makePerson(dice: Dice, place: string, withEmail: boolean): Applicant {
  const male = dice.chance(0.5);
  const family = dice.weighted(FAMILY);
  const middle = dice.pick(male ? MIDDLE_MALE : MIDDLE_FEMALE);
  const given = dice.pick(male ? GIVEN_MALE : GIVEN_FEMALE);
  const born = dice.int(1950, 2007);
  // CCCD: province (3) + sex-and-century (1) + year of birth (2) + 6 random digits.
  const sexCentury = (born >= 2000 ? 2 : 0) + (male ? 0 : 1);
  const idNumber = `${dice.weighted(CCCD_PROVINCES)}${sexCentury}${String(born % 100).padStart(2, '0')}${dice.digits(6)}`;
  const email = withEmail ? `${ascii(given + middle + family).toLowerCase()}${born % 100}@gmail.com` : null;
  return {
    name: `${family} ${middle} ${given}`,
    idNumber,
    phone: `09${dice.pick(['0', '1', '3', '4', '6', '7', '8'])}${dice.digits(7)}`,
    email,
    address: makeAddress(dice, place),
  };
}

function makeCompany(dice: Dice, place: string, fieldCode: string): Applicant {
  const trade = dice.pick(COMPANY_NAMES);
  const name =
    fieldCode === 'HOP_TAC_XA'
      ? `Hợp tác xã Nông nghiệp ${trade}`
      : `${dice.chance(0.8) ? 'Công ty TNHH' : 'Công ty Cổ phần'} ${dice.pick(COMPANY_KINDS)} ${trade}`;
  return {
    name,
    idNumber: `18${dice.digits(8)}`, // mã số doanh nghiệp of Cần Thơ starts with 18
    phone: `0292${dice.digits(7)}`,
    email: `lienhe@${ascii(trade).toLowerCase().replace(/\s+/g, '')}.com.vn`,
    address: makeAddress(dice, place),
  };
}

// ---------------------------------------------------------------------------------------------
// One dossier's story: events happen in order until the first one that would lie after `now`.

type EventType = 'receive' | 'request_supplement' | 'receive_supplement' | 'pause' | 'resume' | 'resolve' | 'return' | 'withdraw';

interface StoryEvent {
  type: EventType;
  at: Date;
  data: Record<string, unknown>;
}

interface ProcedureInfo {
  code: string;
  fieldCode: string;
  agencyCode: string | null;
  duration: { value: number; unit: 'working_days' | 'working_hours' };
  onSupplement: 'restart' | 'pause';
}

const DAY = 450; // working minutes of a default working day; only used to size random delays

class Story {
  events: StoryEvent[] = [];
  status: Status = 'processing';
  /** The first event that would have happened after `now` stops the story there. */
  stopped = false;
  receivedAt!: Date;
  clockStartAt!: Date;
  durationMinutes = 0;
  dueAt!: Date;
  remainingMinutes: number | null = null;
  finishedAt: Date | null = null;
  returnedAt: Date | null = null;
  outcome: 'approved' | 'refused' | null = null;
  outcomeReason: string | null = null;
  trace: TraceStep[] = [];

  constructor(
    private readonly cal: WorkCalendar,
    private readonly now: Date,
    readonly procedure: ProcedureInfo,
    readonly channel: Channel,
    readonly agencyCode: string,
  ) {}

  get lastAt(): Date {
    return this.events[this.events.length - 1].at;
  }

  /** Working minutes from the last event to the due instant. */
  minutesLeft(): number {
    return this.cal.workingMinutesBetween(this.lastAt, this.dueAt);
  }

  /** A working instant `minutes` of working time after `from`. */
  after(from: Date, minutes: number): Date {
    return this.cal.addWorkingMinutes(from, Math.max(1, Math.round(minutes)));
  }

  private happen(type: EventType, at: Date, data: Record<string, unknown>): boolean {
    if (this.stopped || at.getTime() > this.now.getTime()) {
      this.stopped = true;
      return false;
    }
    this.events.push({ type, at, data });
    return true;
  }

  private setDue(dueAt: Date, text: string): void {
    this.dueAt = dueAt;
    this.trace = this.trace.filter((s) => s.type !== 'due');
    this.trace.push({ type: 'due', at: dueAt.toISOString(), text: `${text}: ${formatLocal(dueAt)}` });
  }

  receive(at: Date): boolean {
    const due = computeDue(this.cal, at, this.procedure.duration);
    this.receivedAt = at;
    this.clockStartAt = due.startAt;
    this.durationMinutes = due.minutes;
    this.dueAt = due.dueAt;
    this.trace = due.trace;
    return this.happen('receive', at, {
      channel: this.channel,
      agencyCode: this.agencyCode,
      dueAt: due.dueAt.toISOString(),
      duration: this.procedure.duration,
    });
  }

  /** Stops the clock, keeping the working minutes left. */
  private stopClock(at: Date, why: string): void {
    this.remainingMinutes = this.cal.workingMinutesBetween(at, this.dueAt);
    this.trace.push({ type: 'note', at: at.toISOString(), text: `${why} lúc ${formatLocal(at)}: ngừng tính thời hạn, còn ${this.remainingMinutes} phút làm việc` });
  }

  /** Restarts the clock with what was left (a `pause` procedure, or a pause for another reason). */
  private continueClock(at: Date, why: string): void {
    const skipped: TraceStep[] = [];
    const dueAt = this.cal.addWorkingMinutes(at, this.remainingMinutes ?? 0, skipped);
    this.trace.push({ type: 'note', at: at.toISOString(), text: `${why} lúc ${formatLocal(at)}: tiếp tục tính ${this.remainingMinutes} phút làm việc còn lại` }, ...skipped);
    this.setDue(dueAt, 'Hạn giải quyết mới');
    this.remainingMinutes = null;
  }

  requestSupplement(at: Date, reason: string, items: string[]): boolean {
    if (this.status !== 'processing' || !this.happen('request_supplement', at, { reason, items })) return false;
    this.status = 'awaiting_supplement';
    this.stopClock(at, 'Yêu cầu bổ sung hồ sơ');
    return true;
  }

  receiveSupplement(at: Date): boolean {
    if (this.status !== 'awaiting_supplement') return false;
    const restart = this.procedure.onSupplement === 'restart';
    const due = restart ? computeDue(this.cal, at, this.procedure.duration) : null;
    const dueAt = due ? due.dueAt : this.cal.addWorkingMinutes(at, this.remainingMinutes ?? 0);
    if (!this.happen('receive_supplement', at, { dueAt: dueAt.toISOString() })) return false;
    this.status = 'processing';
    if (due) {
      // A restart counts the whole duration again from the supplement, like a new receipt.
      const text = `Nhận hồ sơ bổ sung lúc ${formatLocal(at)}: tính lại toàn bộ thời hạn`;
      const newSteps = due.trace.slice(1).filter((s) => s.type !== 'note' || !this.trace.some((t) => t.text === s.text));
      this.trace = [...this.trace.filter((s) => s.type !== 'due'), { type: 'note', at: at.toISOString(), text }, ...newSteps];
      this.clockStartAt = due.startAt;
      this.dueAt = due.dueAt;
      this.remainingMinutes = null;
    } else {
      this.continueClock(at, 'Nhận hồ sơ bổ sung');
    }
    return true;
  }

  pause(at: Date, reason: string): boolean {
    if (this.status !== 'processing' || !this.happen('pause', at, { reason })) return false;
    this.status = 'paused';
    this.stopClock(at, `Tạm dừng (${reason.toLowerCase()})`);
    return true;
  }

  resume(at: Date): boolean {
    if (this.status !== 'paused') return false;
    const dueAt = this.cal.addWorkingMinutes(at, this.remainingMinutes ?? 0);
    if (!this.happen('resume', at, { dueAt: dueAt.toISOString() })) return false;
    this.status = 'processing';
    this.continueClock(at, 'Tiếp tục giải quyết');
    return true;
  }

  resolve(at: Date, outcome: 'approved' | 'refused', reason: string | null): boolean {
    const data = reason ? { outcome, reason } : { outcome };
    if (this.status !== 'processing' || !this.happen('resolve', at, data)) return false;
    this.status = 'resolved';
    this.finishedAt = at;
    this.outcome = outcome;
    this.outcomeReason = reason;
    return true;
  }

  returnResult(at: Date): boolean {
    if (this.status !== 'resolved' || !this.happen('return', at, {})) return false;
    this.status = 'returned';
    this.returnedAt = at;
    return true;
  }

  withdraw(at: Date, reason: string): boolean {
    if (!['processing', 'awaiting_supplement', 'paused'].includes(this.status)) return false;
    if (!this.happen('withdraw', at, { reason })) return false;
    this.status = 'withdrawn';
    this.finishedAt = at;
    this.remainingMinutes = null;
    return true;
  }
}

type Fate = 'on_time' | 'late' | 'withdrawn' | 'stuck_supplement' | 'stuck_paused' | 'overdue' | 'due_soon';

function chooseFate(dice: Dice, fieldCode: string): Fate {
  return dice.weighted<Fate>([
    ['withdrawn', 2],
    ['stuck_supplement', 3.2],
    ['stuck_paused', 1.1],
    ['overdue', 1.2],
    ['due_soon', 1],
    ['late', LATE_PRONE.has(fieldCode) ? 10 : 2.5],
    ['on_time', 88],
  ]);
}

/** Plays one dossier's life; the steps after `now` never happen. */
function playStory(dice: Dice, story: Story, fate: Fate, receivedAt: Date): Story {
  const p = story.procedure;
  if (!story.receive(receivedAt)) return story;
  const length = () => story.minutesLeft();

  if (fate === 'withdrawn') {
    story.withdraw(story.after(story.lastAt, length() * (0.1 + 0.6 * dice.next())), dice.pick(WITHDRAW_REASONS));
    return story;
  }

  // A supplement: early in the work, usually a few working days to come back.
  const stuckSupplement = fate === 'stuck_supplement';
  if (stuckSupplement || dice.chance(0.06)) {
    const items = SUPPLEMENT_ITEMS[p.fieldCode] ?? DEFAULT_SUPPLEMENT_ITEMS;
    const asked = [dice.pick(items), ...(dice.chance(0.4) ? [dice.pick(items)] : [])];
    const at = story.after(story.lastAt, Math.min(length() * 0.4, dice.int(30, 2 * DAY)));
    if (!story.requestSupplement(at, dice.pick(SUPPLEMENT_REASONS), [...new Set(asked)])) return story;
    const back = story.after(story.lastAt, stuckSupplement ? dice.int(30, 60) * DAY : dice.int(60, 8 * DAY));
    if (!story.receiveSupplement(back)) return story;
  }

  // A pause for a financial obligation or an appraisal: mostly land and compensation files.
  const stuckPaused = fate === 'stuck_paused';
  if (stuckPaused || dice.chance(p.onSupplement === 'pause' ? 0.25 : LATE_PRONE.has(p.fieldCode) ? 0.04 : 0.01)) {
    const at = story.after(story.lastAt, length() * (0.2 + 0.5 * dice.next()));
    if (!story.pause(at, dice.pick(PAUSE_REASONS))) return story;
    const back = story.after(story.lastAt, stuckPaused ? dice.int(30, 60) * DAY : dice.int(2 * DAY, 10 * DAY));
    if (!story.resume(back)) return story;
  }

  let finishedAt: Date;
  if (fate === 'late') {
    finishedAt = story.after(story.dueAt > story.lastAt ? story.dueAt : story.lastAt, dice.int(20, 8 * DAY));
  } else if (fate === 'overdue') {
    finishedAt = story.after(story.dueAt, dice.int(20, 30) * DAY); // still open at `now`: overdue
  } else if (fate === 'due_soon') {
    finishedAt = story.after(story.lastAt, length() * (0.99 + 0.01 * dice.next())); // in the last hour or so
  } else {
    // Most files are done well before the deadline, some on its last day.
    const [share, span] = dice.weighted([[[0.1, 0.5], 60], [[0.6, 0.3], 25], [[0.9, 0.1], 15]] as const);
    finishedAt = story.after(story.lastAt, length() * (share + span * dice.next()));
  }
  const refused = dice.chance(0.03);
  if (!story.resolve(finishedAt, refused ? 'refused' : 'approved', refused ? dice.pick(REFUSAL_REASONS) : null)) return story;

  // The citizen collects the result within a few hours or days; a few never come in time.
  const wait = dice.chance(0.9) ? dice.int(30, 3 * DAY) : dice.int(5 * DAY, 25 * DAY);
  story.returnResult(story.after(story.lastAt, wait));
  return story;
}

// ---------------------------------------------------------------------------------------------
// When dossiers come in

/** Receipt instants in [from, now): desks receive during working time, online filings come at any hour. */
class ReceiptClock {
  private readonly workingDays: string[] = [];

  constructor(
    private readonly cal: WorkCalendar,
    private readonly from: Date,
    private readonly now: Date,
  ) {
    for (let t = from.getTime(); ; t += 86_400_000) {
      const date = localDate(new Date(t));
      if (date > localDate(now)) break;
      if (cal.isWorkingDay(date)) this.workingDays.push(date);
    }
  }

  /** `recentDays`: only the last that many working days. */
  sample(dice: Dice, channel: Channel, recentDays?: number): Date {
    const days = recentDays ? this.workingDays.slice(-recentDays) : this.workingDays;
    const earliest = recentDays ? Date.parse(`${days[0]}T00:00:00+07:00`) : this.from.getTime();
    for (let attempt = 0; attempt < 50; attempt++) {
      let at: Date;
      if (channel === 'online' && dice.chance(0.3)) {
        const minutes = Math.floor((dice.next() * (this.now.getTime() - earliest)) / 60_000);
        at = new Date(earliest + minutes * 60_000);
      } else {
        const dayStart = new Date(`${dice.pick(days)}T00:00:00+07:00`);
        at = this.cal.addWorkingMinutes(dayStart, dice.int(0, this.cal.minutesPerDay - 1));
      }
      if (at.getTime() < this.now.getTime()) return at;
    }
    return new Date(this.now.getTime() - 60_000);
  }
}

// ---------------------------------------------------------------------------------------------
// Desks and users

interface Clerk {
  username: string | null;
  fullName: string;
}

interface Desk {
  code: string;
  place: string;
  clerk: Clerk;
  /** A ward or commune: most of its applicants live there. */
  local: boolean;
  share: number;
  procedures: [ProcedureInfo, number][];
}

interface AgencyRow {
  code: string;
  name: string;
  level: string;
  kind: string | null;
}

const DEMO_WARD = 'Phường Ninh Kiều';
const OTHER_DESKS = ['Phường Cái Khế', 'Phường Tân An', 'Phường Bình Thủy', 'Phường Cái Răng', 'Xã Phong Điền'];
const OTHER_CLERKS = ['Đỗ Thị Mỹ Duyên', 'Lâm Văn Hậu', 'Trương Ngọc Hân', 'Võ Minh Khôi', 'Bùi Thị Cẩm Tú'];

interface DemoUserSpec extends DemoUser {
  fullName: string;
  agencyCode: string | null;
}

function demoUserSpecs(centre: AgencyRow, ward: AgencyRow): DemoUserSpec[] {
  const wardPlace = placeOf(ward.name);
  const user = (username: string, fullName: string, role: Role, agencyCode: string | null, note: string): DemoUserSpec => ({
    username, fullName, role, agencyCode, note, password: DEMO_PASSWORD,
  });
  return [
    user('admin', 'Nguyễn Hoàng Quân', 'admin', null, 'Quản trị hệ thống – Văn phòng UBND thành phố'),
    user('motcua', 'Trần Thị Ngọc Hân', 'clerk', centre.code, 'Cán bộ một cửa – Trung tâm PVHCC'),
    user('lanhdao', 'Lê Văn Thành', 'head', centre.code, 'Lãnh đạo – Trung tâm PVHCC'),
    user('phuong.motcua', 'Phạm Thị Kim Ngân', 'clerk', ward.code, `Cán bộ một cửa – UBND ${wardPlace}`),
    user('phuong.lanhdao', 'Huỳnh Minh Tuấn', 'head', ward.code, `Lãnh đạo – UBND ${wardPlace}`),
  ];
}

function findDesks(agencies: AgencyRow[], procedures: ProcedureInfo[]) {
  const centre = agencies.find((a) => a.kind === SERVICE_CENTRE_KIND) ?? agencies.find((a) => /Phục vụ hành chính công/i.test(a.name));
  const communes = agencies.filter((a) => a.level === 'commune');
  const byPlace = (place: string) => communes.find((a) => placeOf(a.name) === place);
  const ward = byPlace(DEMO_WARD) ?? communes.find((a) => a.kind === 'ward') ?? communes[0];
  if (!centre || !ward) throw new Error('Demo seed: the catalog has no public service centre or no ward');
  const others = OTHER_DESKS.map(byPlace).filter((a): a is AgencyRow => !!a && a !== ward);
  for (const a of communes) if (others.length < OTHER_DESKS.length && a !== ward && !others.includes(a)) others.push(a);

  const weigh = (list: ProcedureInfo[]) => list.map((p): [ProcedureInfo, number] => [p, FIELD_WEIGHT[p.fieldCode] ?? 1]);
  const provincial = weigh(procedures.filter((p) => p.agencyCode));
  const communal = weigh(procedures.filter((p) => !p.agencyCode));
  const desks: Desk[] = [
    { code: centre.code, place: 'thành phố Cần Thơ', clerk: { username: 'motcua', fullName: 'Trần Thị Ngọc Hân' }, local: false, share: 0.4, procedures: provincial },
    { code: ward.code, place: placeOf(ward.name), clerk: { username: 'phuong.motcua', fullName: 'Phạm Thị Kim Ngân' }, local: true, share: 0.25, procedures: communal },
    ...others.map((a, i): Desk => ({
      code: a.code,
      place: placeOf(a.name),
      clerk: { username: null, fullName: OTHER_CLERKS[i % OTHER_CLERKS.length] },
      local: true,
      share: 0.35 / others.length,
      procedures: communal,
    })),
  ];
  return { centre, ward, desks: desks.filter((d) => d.procedures.length > 0), places: communes.map((a) => placeOf(a.name)) };
}

// ---------------------------------------------------------------------------------------------
// The seed

const BATCH_DOSSIERS = 100;
const BATCH_EVENTS = 500;

interface PlannedDossier {
  story: Story;
  desk: Desk;
  applicant: Applicant;
  sets: number;
  documents: string;
}

function planDossiers(cal: WorkCalendar, now: Date, count: number, desks: Desk[], places: string[]): PlannedDossier[] {
  const dice = new Dice(mulberry32(RANDOM_SEED));
  const from = new Date(now);
  from.setUTCMonth(from.getUTCMonth() - 3);
  const receipts = new ReceiptClock(cal, from, now);
  const planned: PlannedDossier[] = [];

  for (let i = 0; i < count; i++) {
    const desk = dice.weighted(desks.map((d): [Desk, number] => [d, d.share]));
    const procedure = dice.weighted(desk.procedures);
    const channel = dice.weighted<Channel>([['online', 45], ['in_person', 50], ['postal', 5]]);
    const fate = chooseFate(dice, procedure.fieldCode);

    const receivedAt = receiptFor(fate, dice, cal, receipts, procedure, channel, now);
    const story = playStory(dice, new Story(cal, now, procedure, channel, desk.code), fate, receivedAt);

    const place = desk.local && dice.chance(0.8) ? desk.place : dice.pick(places);
    const companyShare = COMPANY_SHARE[procedure.fieldCode] ?? 0;
    const applicant =
      procedure.fieldCode === 'HOP_TAC_XA' || dice.chance(companyShare)
        ? makeCompany(dice, place, procedure.fieldCode)
        : makePerson(dice, place, channel === 'online' && dice.chance(0.6));
    const sets = dice.weighted([[1, 85], [2, 12], [3, 3]] as const);
    const documents = (DOCUMENTS[procedure.fieldCode] ?? DEFAULT_DOCUMENTS).join('\n');
    planned.push({ story, desk, applicant, sets, documents });
  }
  return planned;
}

/** When a dossier of this fate comes in: stuck ones lately, overdue and due-soon ones so that their deadline falls right. */
function receiptFor(fate: Fate, dice: Dice, cal: WorkCalendar, receipts: ReceiptClock, procedure: ProcedureInfo, channel: Channel, now: Date): Date {
  if (fate === 'stuck_supplement' || fate === 'stuck_paused') return receipts.sample(dice, channel, 15);
  if (fate !== 'overdue' && fate !== 'due_soon') return receipts.sample(dice, channel);
  const days = Math.ceil(cal.durationMinutes(procedure.duration) / cal.minutesPerDay);
  const fits = (dueAt: Date) =>
    fate === 'overdue'
      ? dueAt < now && cal.workingMinutesBetween(dueAt, now) < 10 * DAY
      : dueAt >= now && cal.workingMinutesBetween(now, dueAt) <= cal.minutesPerDay;
  let receivedAt = receipts.sample(dice, channel);
  for (let attempt = 0; attempt < 100 && !fits(computeDue(cal, receivedAt, procedure.duration).dueAt); attempt++) {
    receivedAt = receipts.sample(dice, channel, days + (fate === 'overdue' ? 10 : 2));
  }
  return receivedAt;
}


/**
 * Demo users (password demo1234) and ~2,000 dossiers of the three months before `now`.
 * Does nothing when the user `admin` exists already; then `users` is empty.
 */
export async function seedDemo(db: Knex, opts: SeedDemoOptions): Promise<{ users: DemoUser[] }> {
  if (await db('users').where({ username: 'admin' }).first()) return { users: [] };
  const { now } = opts;

  const agencies: AgencyRow[] = await db('agencies').select('code', 'name', 'level', 'kind').orderBy('code');
  const procedures: ProcedureInfo[] = await activeProceduresByCode(db);
  const cal = new WorkCalendar({ entries: await loadEntries(db), periods: opts.periods });
  const { centre, ward, desks, places } = findDesks(agencies, procedures);
  const specs = demoUserSpecs(centre, ward);
  const passwordHash = await hashPassword(DEMO_PASSWORD); // slow on purpose: once for every demo user

  const planned = planDossiers(cal, now, opts.dossiers ?? 2000, desks, places);
  planned.sort((a, b) => a.story.receivedAt.getTime() - b.story.receivedAt.getTime());

  await db.transaction(async (trx) => {
    const inserted: { id: number; username: string }[] = await trx('users')
      .insert(
        specs.map((u) => ({
          username: u.username,
          full_name: u.fullName,
          role: u.role,
          agency_code: u.agencyCode,
          password_hash: passwordHash,
          active: true,
          created_at: now.toISOString(),
        })),
      )
      .returning(['id', 'username']);
    const userIds = new Map(inserted.map((u) => [u.username, u.id]));
    const actorId = (clerk: Clerk) => (clerk.username ? (userIds.get(clerk.username) ?? null) : null);

    // Daily numbers continue after whatever live intake has already used.
    const sequences = new Map<string, number>();
    for (const r of await trx('dossier_sequences').select('agency_code', 'day', 'last')) {
      sequences.set(`${r.agency_code}|${r.day}`, Number(r.last));
    }
    const rows = planned.map(({ story, desk, applicant, sets, documents }) => {
      const key = `${desk.code}|${registerDay(story.receivedAt)}`;
      const sequence = (sequences.get(key) ?? 0) + 1;
      sequences.set(key, sequence);
      return dossierRow(story, desk, applicant, sets, documents, formatDossierCode(desk.code, story.receivedAt, sequence), actorId(desk.clerk));
    });

    const idByCode = new Map<string, number>();
    for (let i = 0; i < rows.length; i += BATCH_DOSSIERS) {
      const ids: { id: number; code: string }[] = await trx('dossiers').insert(rows.slice(i, i + BATCH_DOSSIERS)).returning(['id', 'code']);
      for (const r of ids) idByCode.set(r.code, r.id);
    }

    const events = planned.flatMap(({ story, desk }, i) =>
      story.events.map((e) => ({
        dossier_id: idByCode.get(rows[i].code)!,
        type: e.type,
        at: e.at.toISOString(),
        actor_id: actorId(desk.clerk),
        actor_name: desk.clerk.fullName,
        data: JSON.stringify(e.data),
        recorded_at: e.at.toISOString(),
      })),
    );
    for (let i = 0; i < events.length; i += BATCH_EVENTS) {
      await trx('dossier_events').insert(events.slice(i, i + BATCH_EVENTS));
    }

    // The state intervals the reports read, derived from the same histories.
    const states = planned.flatMap(({ story }, i) =>
      stateIntervals(
        story.events.map((e) => ({ type: e.type, at: e.at.toISOString(), data: e.data as { dueAt?: string } })),
        { agencyCode: rows[i].agency_code },
      ).map((s) => ({
        dossier_id: idByCode.get(rows[i].code)!,
        valid_from: s.validFrom,
        valid_to: s.validTo,
        status: s.status,
        due_at: s.dueAt,
        clock_running: s.clockRunning,
        agency_code: s.agencyCode,
      })),
    );
    for (let i = 0; i < states.length; i += BATCH_EVENTS) {
      await trx('dossier_states').insert(states.slice(i, i + BATCH_EVENTS));
    }

    const sequenceRows = [...sequences].map(([key, last]) => {
      const [agency_code, day] = key.split('|');
      return { agency_code, day, last };
    });
    for (let i = 0; i < sequenceRows.length; i += BATCH_EVENTS) {
      await trx('dossier_sequences').insert(sequenceRows.slice(i, i + BATCH_EVENTS)).onConflict(['agency_code', 'day']).merge(['last']);
    }
  });

  return { users: specs.map(({ username, password, role, note }) => ({ username, password, role, note })) };
}

function dossierRow(
  story: Story,
  desk: Desk,
  applicant: Applicant,
  sets: number,
  documents: string,
  code: string,
  createdBy: number | null,
): Omit<DossierRow, 'id'> {
  const p = story.procedure;
  return {
    code,
    procedure_code: p.code,
    field_code: p.fieldCode,
    received_agency_code: desk.code,
    agency_code: p.agencyCode ?? desk.code,
    channel: story.channel,
    applicant_name: applicant.name,
    applicant_id_number: applicant.idNumber,
    applicant_phone: applicant.phone,
    applicant_email: applicant.email,
    applicant_address: applicant.address,
    sets,
    documents,
    received_at: story.receivedAt.toISOString(),
    clock_start_at: story.clockStartAt.toISOString(),
    duration_minutes: story.durationMinutes,
    on_supplement: p.onSupplement,
    due_at: story.dueAt.toISOString(),
    appointment_at: story.dueAt.toISOString(),
    remaining_minutes: story.remainingMinutes,
    status: story.status,
    finished_at: story.finishedAt?.toISOString() ?? null,
    returned_at: story.returnedAt?.toISOString() ?? null,
    outcome: story.outcome,
    outcome_reason: story.outcomeReason,
    due_trace: JSON.stringify(story.trace),
    version: story.events.length,
    created_by: createdBy,
    created_at: story.receivedAt.toISOString(),
    updated_at: story.lastAt.toISOString(),
  };
}
