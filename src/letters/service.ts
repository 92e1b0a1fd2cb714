import type { Knex } from 'knex';
import type { Services } from '../app';
import type { User } from '../auth/users';
import type { Config } from '../config';
import { getAgency } from '../catalog/repository';
import { catalogNames } from '../catalog/names';
import type { WorkCalendar } from '../calendar/working-time';
import { isUniqueViolation, withRetry } from '../db/dialect';
import { applyListFilters, findDossier, insertEvent, isLate, type DossierRow, type ListScope } from '../dossiers/repository';
import { listQuerySchema } from '../dossiers/schema';
import { clockRunning, isOpen, STATUS_NAMES } from '../dossiers/status';
import { regimeOn } from '../forms/regime';
import type { AppContext } from '../shared/context';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { addDays, documentNumber, formatDate, formatDateTime, localDate, weekdayName } from '../shared/format';
import {
  addresseeFor,
  draftWindowReached,
  apologyHorizon,
  emailText,
  letterDocument,
  proposeAppointment,
  proposalOvertaken,
  sentInTime,
  letterDeadline,
  resolveTemplate,
  smsText,
  type LetterFacts,
  type LetterRow,
  type LetterStatus,
  type LetterTemplate,
  workingDaysLate,
  type ApologyFrom,
} from './draft';
import {
  cancelDraftsOfFinishedDossiers,
  dossiersNeedingLetter,
  EVERY_AGENCY,
  findLetter,
  headNameOf,
  templateSigners,
  insertDraftsIgnoringExisting,
  lettersOfDossier,
  countLetters,
  listLetters,
  nextLetterNumber,
  storedTemplate,
  type LetterTiming,
  type LetterWithDossier,
} from './repository';

export interface IssueInput {
  reason?: string;
  newAppointmentAt?: Date;
  /** a second (third, …) new appointment for the dossier: the head's reason for the exception */
  overrideReason?: string;
  /** edits made on the page together with the issuing */
  addresseeName?: string;
  addresseeAddress?: string;
  signerTitle?: string;
  signerName?: string;
  /** the letter's version the page was showing; the API may leave it out */
  version?: number;
}

export type DraftEdit = Omit<IssueInput, 'overrideReason'> & { version: number };

/** What the letter queue narrows to (LetterListQuery without the agency, which is the user's). */
export type LetterFilter = { status?: LetterStatus; openOnly?: boolean; issuedFrom?: string; issuedTo?: string; timing?: LetterTiming };

/** The queue's address showing `filter`'s letters (its tab, issue days and timing), at `page` when given. */
export function queueUrl(filter: LetterFilter, page?: number): string {
  const params = { status: filter.status, from: filter.issuedFrom, to: filter.issuedTo, timing: filter.timing, page: page === undefined ? undefined : String(page) };
  return `/thu-xin-loi?${new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]))}`;
}

/** A letter issued again: the dossier's one new appointment is used; under REAPPOINTMENTS=override, how to set another. */
function alreadyMoved(reappointments: Config['reappointments'], number: string | null): ConflictError {
  const more = reappointments === 'override' ? 'muốn hẹn lại lần nữa, lãnh đạo phải ghi lý do ngoại lệ' : 'pháp luật không cho hẹn lại lần thứ hai';
  return new ConflictError(`Hồ sơ đã được hẹn lại một lần bằng văn bản xin lỗi đã phát hành. Mỗi hồ sơ chỉ được hẹn lại một lần; ${more}. (Văn bản số ${number}.)`, 'already_issued');
}

/** Another appointment asked for under REAPPOINTMENTS=once, the law's. */
function reappointedOnce(code: string, number: string | null): ConflictError {
  return new ConflictError(
    `Hồ sơ ${code} đã được hẹn lại ngày trả kết quả bằng văn bản số ${number}: pháp luật chỉ cho hẹn lại một lần, không hẹn lại lần nữa. Hồ sơ vẫn được theo dõi là quá hạn.`,
    'reappointed_once',
  );
}

/** Does the user head the agency a letter goes out under (and so signs it unless another signer is named)? */
export function signsFor(user: User, agencyCode: string): boolean {
  return user.role === 'head' && user.agencyCode === agencyCode;
}

export const SIGNER_NEEDED =
  'Ghi họ tên người ký: văn bản mang tên cơ quan giải quyết hồ sơ, người ký là lãnh đạo cơ quan đó (ký thay thì ghi "KT." ở chức danh).';

/** Drafting, editing and issuing apology letters (SPEC §5), and the numbers of the head's watch. */
export class LetterService {
  constructor(
    private readonly ctx: AppContext,
    private readonly services: Services,
  ) {}

  private get db(): Knex {
    return this.ctx.db;
  }

  private calendar(now: Date): Promise<WorkCalendar> {
    return this.services.calendars.get(now.getTime());
  }

  // -------------------------------------------------------------------------------------------
  // The sweep

  /**
   * Drafts a letter for every dossier that is due soon or late and has none yet, and cancels the drafts of
   * dossiers that finished meanwhile. Idempotent and safe with several processes: the drafts are inserted
   * as seq 1 "on conflict do nothing" against UNIQUE(dossier_id, seq). Returns how many drafts it created.
   */
  async draftMissing(now: Date): Promise<number> {
    const cal = await this.calendar(now);
    await cancelDraftsOfFinishedDossiers(this.db, now);
    const owedUntil = apologyHorizon(cal, now, this.ctx.config.apologyFrom);
    const dossiers = (await dossiersNeedingLetter(this.db, owedUntil)).filter(
      (d) => d.status !== 'processing' || draftWindowReached(cal, now, new Date(d.due_at), d.duration_minutes, owedUntil),
    );
    if (!dossiers.length) return 0;
    // The signer: the one the agency's template names, else the agency's head with an account.
    const named = await templateSigners(this.db);
    const signers = new Map<string, string | null>();
    const rows: Omit<LetterRow, 'id'>[] = [];
    for (const d of dossiers) {
      if (!signers.has(d.agency_code)) signers.set(d.agency_code, named.get(d.agency_code) ?? (await headNameOf(this.db, d.agency_code)));
      rows.push(this.draftRow(d, cal, now, { seq: 1, draftedFor: d.due_at < now.toISOString() ? 'late' : 'due_soon', signerName: signers.get(d.agency_code) ?? null }));
    }
    return insertDraftsIgnoringExisting(this.db, rows);
  }

  private draftRow(
    d: DossierRow,
    cal: WorkCalendar,
    now: Date,
    opts: { seq: number; draftedFor: LetterRow['drafted_for']; signerName: string | null; overrideReason?: string; by?: User },
  ): Omit<LetterRow, 'id'> {
    const proposal = proposalFor(cal, now, d);
    const at = now.toISOString();
    return {
      dossier_id: d.id,
      seq: opts.seq,
      agency_code: d.agency_code,
      status: 'draft',
      drafted_for: opts.draftedFor,
      number_year: null,
      number_seq: null,
      number: null,
      addressee_name: addresseeFor(d.applicant_name),
      addressee_address: d.applicant_address,
      reason: null,
      original_appointment_at: d.appointment_at,
      proposed_appointment_at: proposal.at.toISOString(),
      new_appointment_at: proposal.at.toISOString(),
      proposal_note: proposal.note,
      signer_title: null,
      signer_name: opts.signerName,
      override_reason: opts.overrideReason ?? null,
      title: null,
      body: null,
      recipients: null,
      sms_text: null,
      email_text: null,
      drafted_at: at,
      drafted_by: opts.by?.id ?? null,
      issued_at: null,
      issued_by: null,
      issued_by_name: null,
      cancelled_at: null,
      version: 1,
      updated_at: at,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  canSee(letter: LetterWithDossier, user: User): boolean {
    return user.role === 'admin' || letter.dossier_agency_code === user.agencyCode || letter.received_agency_code === user.agencyCode;
  }

  /** Heads of the dossier's agencies (handling or receiving) and admins approve and issue. */
  canManage(letter: LetterWithDossier, user: User): boolean {
    return (user.role === 'head' || user.role === 'admin') && this.canSee(letter, user);
  }

  async get(id: number, user: User, db: Knex = this.db): Promise<LetterWithDossier> {
    const letter = Number.isSafeInteger(id) && id > 0 ? await findLetter(db, id) : null;
    if (!letter || !this.canSee(letter, user)) throw new NotFoundError(`Không tìm thấy văn bản xin lỗi số hiệu ${id}.`);
    return letter;
  }

  async list(user: User, query: LetterFilter & { page?: number; pageSize?: number }) {
    return listLetters(this.db, { ...this.letterScope(user, query), page: query.page ?? 1, pageSize: query.pageSize ?? 100 });
  }

  /** How many letters list() would hold. */
  async count(user: User, query: LetterFilter): Promise<number> {
    return countLetters(this.db, this.letterScope(user, query));
  }

  /**
   * The new appointment the queue shows for each draft of the page: the engine's proposal of now where the clock has
   * overtaken the draft's (as the draft's own page fills it in), else the draft's. The queue showed the date of the
   * sweep's day, already past, for a late dossier drafted days before, while its page proposed another.
   */
  async queueAppointments(items: LetterWithDossier[]): Promise<Map<number, { at: string; renewed: boolean }>> {
    const now = this.ctx.clock.now();
    const cal = await this.calendar(now);
    const shown = new Map<number, { at: string; renewed: boolean }>();
    for (const l of items) {
      if (l.status !== 'draft') continue;
      const dossier = { due_at: l.due_at, appointment_at: l.appointment_at, status: l.dossier_status, remaining_minutes: l.remaining_minutes };
      const fresh = proposalFor(cal, now, dossier).at.toISOString();
      const floor = [now.toISOString(), l.appointment_at].sort().at(-1)!;
      shown.set(l.id, proposalOvertaken(l, fresh, floor) ? { at: fresh, renewed: true } : { at: l.new_appointment_at, renewed: false });
    }
    return shown;
  }

  private letterScope(user: User, query: LetterFilter) {
    return { ...query, agencyCode: user.role === 'admin' ? null : (user.agencyCode ?? '__none__') };
  }

  async ofDossier(dossierId: number): Promise<LetterRow[]> {
    return lettersOfDossier(this.db, dossierId);
  }

  /** The agency's template over the one for every agency over the circular's wording. */
  async template(agencyCode: string, receivedAt: string, db: Knex = this.db): Promise<LetterTemplate> {
    const regime = regimeOn(this.ctx.config.formRegimes, localDate(receivedAt));
    return resolveTemplate(regime, await storedTemplate(db, agencyCode), await storedTemplate(db, EVERY_AGENCY));
  }

  /** What the wording needs; a draft follows the dossier's current handler, an issued letter keeps its own. */
  async facts(letter: LetterRow, dossier: DossierRow, db: Knex = this.db): Promise<LetterFacts> {
    const agencyCode = letter.status === 'issued' ? letter.agency_code : dossier.agency_code;
    const agency = await getAgency(db, agencyCode);
    const parent = agency?.parentCode ? await getAgency(db, agency.parentCode) : null;
    return {
      status: letter.status,
      number: letter.number,
      issuedAt: letter.issued_at,
      agencyName: agency?.name ?? agencyCode,
      parentName: parent?.name ?? this.ctx.config.placeName,
      placeName: this.ctx.config.placeName,
      addresseeName: letter.addressee_name,
      addresseeAddress: letter.addressee_address,
      applicantName: dossier.applicant_name,
      dossierCode: dossier.code,
      procedureName: dossier.procedure_name ?? dossier.procedure_code,
      receivedAt: dossier.received_at,
      originalAppointmentAt: letter.status === 'issued' ? letter.original_appointment_at : dossier.appointment_at,
      newAppointmentAt: letter.new_appointment_at,
      reason: letter.reason,
      signerTitle: letter.signer_title,
      signerName: letter.signer_name,
      regime: regimeOn(this.ctx.config.formRegimes, localDate(dossier.received_at)),
    };
  }

  /** Everything the letter's page and its print need. */
  async view(id: number, user: User) {
    const letter = await this.get(id, user);
    const dossier = (await findDossier(this.db, letter.dossier_code))!;
    const facts = await this.facts(letter, dossier);
    const template = await this.template(facts.status === 'issued' ? letter.agency_code : dossier.agency_code, dossier.received_at);
    const frozen = letter.status === 'issued' ? { title: letter.title, body: letter.body, recipients: letter.recipients } : undefined;
    const now = this.ctx.clock.now();
    const cal = await this.calendar(now);
    const siblings = (await lettersOfDossier(this.db, letter.dossier_id)).filter((l) => l.id !== letter.id);
    const situation = situationOf(dossier, cal, now, this.ctx.config.apologyFrom);
    // A proposal the clock has overtaken is replaced by a fresh one on the form (nothing is written): one that has
    // passed or is no later than the appointment already given, and the system's own proposal left as it was when
    // the engine now proposes later (a late dossier's, drafted days ago, would promise the result for today).
    const floor = [now.toISOString(), dossier.appointment_at].sort().at(-1)!;
    const draft = letter.status === 'draft' ? this.draftRow(dossier, cal, now, { seq: letter.seq, draftedFor: letter.drafted_for, signerName: null }) : null;
    const stale = !!draft && proposalOvertaken(letter, draft.new_appointment_at, floor);
    const fresh = stale ? draft : null;
    return {
      letter,
      dossier,
      facts,
      template,
      doc: letterDocument(facts, template, frozen),
      sms: letter.sms_text ?? smsText(facts, template),
      email: letter.status === 'issued' && letter.email_text ? JSON.parse(letter.email_text) as { subject: string; text: string } : emailText(facts, template),
      siblings,
      situation,
      stale,
      suggested: fresh ? { at: fresh.new_appointment_at, note: fresh.proposal_note } : null,
      canManage: this.canManage(letter, user),
      hasIssued: siblings.some((l) => l.status === 'issued'),
      hasDraft: siblings.some((l) => l.status === 'draft'),
      isLatest: !siblings.some((l) => l.seq > letter.seq),
      // Issued (or, for a draft, issued now) by the day before the deadline, as the law asks.
      inTime: sentInTime(letter.issued_at ?? now, letterDeadline(letter, dossier.due_at)),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Writing

  /** Saves a draft's fields (the reason may still be empty); a stale version answers 409. */
  async update(id: number, input: DraftEdit, user: User): Promise<void> {
    const now = this.ctx.clock.now();
    await withRetry(() =>
      this.db.transaction(async (trx) => {
        const letter = await this.get(id, user, trx);
        if (!this.canManage(letter, user)) throw new ForbiddenError('Chỉ lãnh đạo cơ quan hoặc quản trị viên được sửa văn bản xin lỗi.');
        if (letter.status !== 'draft') throw new ConflictError(`Văn bản này ${letter.status === 'issued' ? 'đã phát hành' : 'đã hủy'}, không sửa được nữa.`, 'not_draft');
        if (input.version !== letter.version) throw staleLetter(letter.version);
        const fields: Record<string, string> = {};
        if (input.addresseeName !== undefined && !input.addresseeName.trim()) fields.addresseeName = 'Nhập người nhận (Kính gửi).';
        if (Object.keys(fields).length) throw new ValidationError(fields);
        const updated = await trx('letters')
          .where({ id, version: letter.version, status: 'draft' })
          .update({
            ...this.editedColumns(input),
            version: letter.version + 1,
            updated_at: now.toISOString(),
          });
        if (updated !== 1) throw staleLetter(letter.version);
      }),
    );
  }

  private editedColumns(input: DraftEdit | IssueInput) {
    const cols: Partial<LetterRow> = {};
    if (input.addresseeName !== undefined) cols.addressee_name = input.addresseeName.trim();
    if (input.addresseeAddress !== undefined) cols.addressee_address = input.addresseeAddress.trim() || null;
    if (input.reason !== undefined) cols.reason = input.reason.trim() || null;
    if (input.newAppointmentAt !== undefined) cols.new_appointment_at = input.newAppointmentAt.toISOString();
    if (input.signerTitle !== undefined) cols.signer_title = input.signerTitle.trim() || null;
    if (input.signerName !== undefined) cols.signer_name = input.signerName.trim() || null;
    return cols;
  }

  /**
   * Issues a letter: number, new appointment on the dossier (appointmentAt, never dueAt), an
   * `apology_issued` event — one transaction. The dossier must be open; a dossier gets one new appointment
   * unless the head gives an override reason, which issues a further letter (seq + 1).
   */
  async issue(id: number, input: IssueInput, user: User): Promise<LetterWithDossier> {
    if (user.role !== 'head' && user.role !== 'admin') {
      throw new ForbiddenError('Chỉ lãnh đạo cơ quan (hoặc quản trị viên) được phát hành văn bản xin lỗi.');
    }
    const now = this.ctx.clock.now();
    const cal = await this.calendar(now); // outside the transaction: SQLite has one connection
    const issuedId = await withRetry(() =>
      this.db.transaction(async (trx) => {
        return this.issueIn(trx, id, input, user, now, cal);
      }),
    ).catch((err) => {
      if (isUniqueViolation(err)) throw new ConflictError('Một người khác vừa hẹn lại hồ sơ này. Vui lòng tải lại trang.', 'stale_version');
      throw err;
    });
    return (await findLetter(this.db, issuedId))!;
  }

  private async issueIn(trx: Knex.Transaction, id: number, input: IssueInput, user: User, now: Date, cal: WorkCalendar): Promise<number> {
    let letter = await this.get(id, user, trx);
    if (!this.canManage(letter, user)) throw new ForbiddenError('Bạn không có quyền phát hành văn bản xin lỗi của hồ sơ này.');
    const dossier = (await findDossier(trx, letter.dossier_code))!;
    if (!isOpen(dossier.status)) {
      throw new ConflictError(
        `Hồ sơ ${dossier.code} đã kết thúc (trạng thái "${STATUS_NAMES[dossier.status]}"): không phát hành văn bản xin lỗi, hẹn lại cho hồ sơ đã kết thúc.`,
        'dossier_finished',
      );
    }
    const situation = situationOf(dossier, cal, now, this.ctx.config.apologyFrom);
    // A dossier waiting for papers or paused before its deadline is not late, and its deadline moves when the clock
    // runs again: a letter issued now promised a day the supplement then passed, and used up the one new appointment.
    // The draft waits.
    if (situation === 'open' && !clockRunning(dossier.status)) {
      throw new ConflictError(
        `Hồ sơ ${dossier.code} đang dừng tính thời hạn (${STATUS_NAMES[dossier.status].toLowerCase()}) và chưa quá hạn: chưa phát hành văn bản xin lỗi; bản nháp được giữ đến khi hồ sơ được giải quyết tiếp.`,
        'clock_stopped',
      );
    }
    if (letter.status === 'cancelled') throw new ConflictError('Văn bản này đã hủy.', 'not_draft');
    if (input.version !== undefined && input.version !== letter.version) throw staleLetter(letter.version);
    const letters = await lettersOfDossier(trx, letter.dossier_id);
    const issuedBefore = letters.filter((l) => l.status === 'issued');
    // Under the law's rule there is no exception to ask for: another appointment is refused, and a reason sent with a
    // first letter changes nothing (it does not pass a draft that is not owed yet).
    const once = this.ctx.config.reappointments === 'once';
    if (once && issuedBefore.length && (input.overrideReason?.trim() || letter.override_reason)) {
      throw reappointedOnce(dossier.code, issuedBefore.at(-1)!.number);
    }
    const overrideReason = once ? null : input.overrideReason?.trim() || null;
    // A draft made when the dossier was due soon, whose deadline has moved since (the papers came and a restart
    // procedure's time began again, or new days off were recomputed), is not owed any more: issued, it promised a
    // day before the new deadline and used up the one new appointment. It waits until the dossier is due soon again.
    // A head's exception (a second appointment) is theirs to decide.
    if (situation === 'open' && !issuedBefore.length && !overrideReason && !letter.override_reason) {
      throw new ConflictError(
        `Hồ sơ ${dossier.code} có hạn giải quyết ${formatDateTime(dossier.due_at)}, ${this.ctx.config.apologyFrom === 'day_before' ? 'chưa đến ngày làm việc liền trước hạn' : 'còn hơn 1 ngày làm việc'}: chưa cần văn bản xin lỗi, chưa phát hành. Bản nháp được giữ đến khi hồ sơ sắp đến hạn.`,
        'not_due',
      );
    }

    if (letter.status === 'issued') {
      if (!overrideReason) throw alreadyMoved(this.ctx.config.reappointments, letter.number);
      if (letters.some((l) => l.status === 'draft')) {
        throw new ConflictError('Hồ sơ đang có một bản nháp hẹn lại chờ phát hành; hãy phát hành bản nháp đó.', 'draft_exists');
      }
      // The exception is a letter of its own, numbered and printed like the first.
      const row = this.draftRow(dossier, cal, now, {
        seq: Math.max(...letters.map((l) => l.seq)) + 1,
        draftedFor: 'override',
        signerName: letter.signer_name,
        overrideReason,
        by: user,
      });
      const newId = await insertLetter(trx, { ...row, addressee_name: letter.addressee_name, addressee_address: letter.addressee_address, signer_title: letter.signer_title });
      letter = (await findLetter(trx, newId))!;
    } else if (issuedBefore.length && !letter.override_reason && !overrideReason) {
      throw alreadyMoved(this.ctx.config.reappointments, issuedBefore.at(-1)!.number);
    }

    const edits = { ...letter, ...this.editedColumns(input) } as LetterWithDossier;
    const fields: Record<string, string> = {};
    if (!edits.reason?.trim()) fields.reason = 'Nhập lý do chậm trễ: lý do được ghi vào văn bản gửi công dân.';
    if (!input.newAppointmentAt) fields.newAppointmentAt = 'Nhập ngày, giờ hẹn trả kết quả mới.';
    else if (input.newAppointmentAt.getTime() <= now.getTime()) fields.newAppointmentAt = 'Ngày hẹn mới không được ở trong quá khứ.';
    else if (input.newAppointmentAt.toISOString() <= dossier.appointment_at) {
      fields.newAppointmentAt = `Ngày hẹn mới phải sau ngày hẹn hiện tại (${formatDateTime(dossier.appointment_at)}).`;
    } else if (!cal.isWorkingInstant(input.newAppointmentAt)) {
      fields.newAppointmentAt = outsideWorkingTime(cal, input.newAppointmentAt);
    }
    if (!edits.addressee_name?.trim()) fields.addresseeName = 'Nhập người nhận (Kính gửi).';
    // The letter goes out under the handling agency's name: signed by the one named on it, else by the one its
    // template names, else by its own head issuing it. The head of the centre that received the dossier, or an
    // admin, issued a department's letter signed with their own name.
    const template = await this.template(dossier.agency_code, dossier.received_at, trx);
    if (!edits.signer_name?.trim() && !template.signerName && !signsFor(user, dossier.agency_code)) fields.signerName = SIGNER_NEEDED;
    if (Object.keys(fields).length) throw new ValidationError(fields, 'Chưa phát hành được: kiểm tra các ô được đánh dấu.');

    // Claim the draft first: of two heads issuing it at once, the second finds it gone and gets 409.
    const claimed = await trx('letters').where({ id: letter.id, status: 'draft', version: letter.version }).update({ version: letter.version + 1 });
    if (claimed !== 1) throw staleLetter(letter.version);

    const year = Number(localDate(now).slice(0, 4));
    const seq = await nextLetterNumber(trx, dossier.agency_code, year);
    const number = `${documentNumber(seq)}/${template.numberSuffix}`;
    // What issuing sets on the letter: the text is drafted from it, then it is stored with the text.
    const numbered = {
      status: 'issued' as const,
      agency_code: dossier.agency_code,
      number_year: year,
      number_seq: seq,
      number,
      original_appointment_at: dossier.appointment_at,
      issued_at: now.toISOString(),
      override_reason: letter.override_reason ?? overrideReason,
      signer_name: edits.signer_name?.trim() || template.signerName || user.fullName,
    };
    const issued: LetterRow = { ...edits, ...numbered };
    const facts = await this.facts(issued, dossier, trx);
    const doc = letterDocument(facts, template);
    const email = emailText(facts, template);
    await trx('letters')
      .where({ id: letter.id })
      .update({
        ...this.editedColumns(input),
        ...numbered,
        signer_title: edits.signer_title ?? doc.signerTitle,
        title: doc.title,
        body: doc.paragraphs.join('\n'),
        recipients: doc.recipients.join('\n'),
        sms_text: smsText(facts, template),
        email_text: JSON.stringify(email),
        issued_by: user.id,
        issued_by_name: user.fullName,
        version: letter.version + 2,
        updated_at: now.toISOString(),
      });

    const moved = await trx('dossiers')
      .where({ id: dossier.id, version: dossier.version })
      .update({ appointment_at: input.newAppointmentAt!.toISOString(), version: dossier.version + 1, updated_at: now.toISOString() });
    if (moved !== 1) throw new ConflictError('Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang rồi phát hành lại.', 'stale_version');
    await insertEvent(trx, {
      dossier_id: dossier.id,
      type: 'apology_issued',
      at: now.toISOString(),
      actor_id: user.id,
      actor_name: user.fullName,
      data: JSON.stringify({
        letterId: letter.id,
        number,
        reason: edits.reason,
        newAppointmentAt: input.newAppointmentAt!.toISOString(),
        previousAppointmentAt: dossier.appointment_at,
        ...(issued.override_reason ? { overrideReason: issued.override_reason } : {}),
      }),
      recorded_at: now.toISOString(),
    });
    return letter.id;
  }

  /** A head's exception: a further draft for a dossier whose appointment was already moved once. */
  async draftOverride(id: number, overrideReason: string | undefined, user: User): Promise<number> {
    if (user.role !== 'head' && user.role !== 'admin') throw new ForbiddenError('Chỉ lãnh đạo cơ quan được hẹn lại lần nữa.');
    const reason = overrideReason?.trim();
    if (!reason) throw new ValidationError({ overrideReason: 'Nhập lý do hẹn lại lần nữa (ngoại lệ).' });
    const now = this.ctx.clock.now();
    const cal = await this.calendar(now);
    try {
      return await withRetry(() =>
        this.db.transaction(async (trx) => {
          const letter = await this.get(id, user, trx);
          if (!this.canManage(letter, user)) throw new ForbiddenError();
          const dossier = (await findDossier(trx, letter.dossier_code))!;
          if (!isOpen(dossier.status)) throw new ConflictError(`Hồ sơ ${dossier.code} đã kết thúc, không hẹn lại được.`, 'dossier_finished');
          const letters = await lettersOfDossier(trx, letter.dossier_id);
          const draft = letters.find((l) => l.status === 'draft');
          if (draft) return draft.id;
          const issued = letters.filter((l) => l.status === 'issued');
          if (!issued.length) throw new ConflictError('Hồ sơ chưa có văn bản xin lỗi nào được phát hành.', 'not_issued');
          if (this.ctx.config.reappointments === 'once') throw reappointedOnce(dossier.code, issued.at(-1)!.number);
          const row = this.draftRow(dossier, cal, now, {
            seq: Math.max(...letters.map((l) => l.seq)) + 1,
            draftedFor: 'override',
            signerName: letter.signer_name,
            overrideReason: reason,
            by: user,
          });
          return insertLetter(trx, { ...row, addressee_name: letter.addressee_name, addressee_address: letter.addressee_address, signer_title: letter.signer_title });
        }),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('Một người khác vừa tạo bản hẹn lại cho hồ sơ này. Vui lòng tải lại trang.', 'stale_version');
      throw err;
    }
  }

  // -------------------------------------------------------------------------------------------
  // The head's watch

  async dashboard(user: User) {
    const now = this.ctx.clock.now();
    const cal = await this.calendar(now);
    const today = localDate(now);
    let next = today;
    do next = addDays(next, 1);
    while (!cal.isWorkingDay(next));
    const monthStart = `${today.slice(0, 7)}-01`;
    const monthEnd = addDays(`${addDays(monthStart, 31).slice(0, 7)}-01`, -1);

    const scope: ListScope = {
      agencyCode: user.role === 'admin' ? null : (user.agencyCode ?? '__none__'),
      now,
      dueSoonUntil: cal.addWorkingMinutes(now, cal.minutesPerDay),
    };
    const link = (params: Record<string, string>) => `/ho-so?${new URLSearchParams(params)}`;
    // Counted, not listed: a list of one also read its first dossier, for lists by deadline after sorting them.
    const count = async (params: Record<string, string>) => ({
      n: await this.services.dossiers.count(listQuerySchema.parse(params), user),
      href: link(params),
    });

    const lateParams = { late: '1', status: 'open' };
    const coverageParams = { late: '1', dueFrom: monthStart, dueTo: monthEnd };
    const [dueToday, dueNext, late, dueSoon, drafts, lateAll, lateCovered, lateUncovered, openCovered, openUncovered] = await Promise.all([
      count({ status: 'processing', dueFrom: today, dueTo: today }),
      count({ status: 'processing', dueFrom: next, dueTo: next }),
      count(lateParams),
      count({ dueSoon: '1' }),
      count({ status: 'open', letter: 'draft' }),
      count(coverageParams),
      count({ ...coverageParams, letter: 'issued' }),
      count({ ...coverageParams, letter: 'not_issued' }),
      // The open late of every month, whose letters are still owed: a head issuing one for a dossier due last month
      // sees this line move.
      count({ ...lateParams, letter: 'issued' }),
      count({ ...lateParams, letter: 'not_issued' }),
    ]);

    // The letters issued this month, and whether each went out by the day before its deadline, as the law asks.
    const [issuedAll, issuedInTime, issuedLate] = await Promise.all(
      ([undefined, 'in_time', 'late'] as const).map(async (timing) => {
        const filter: LetterFilter = { status: 'issued', issuedFrom: monthStart, issuedTo: monthEnd, timing };
        return { n: await this.count(user, filter), href: queueUrl(filter) };
      }),
    );

    const lateList = await this.services.dossiers.list(listQuerySchema.parse({ ...lateParams, sort: 'due', pageSize: 15 }), user);
    const lastLetter = new Map<number, LetterRow>();
    if (lateList.items.length) {
      const rows = (await this.db('letters').whereIn('dossier_id', lateList.items.map((d) => d.id)).orderBy('seq')) as LetterRow[];
      for (const l of rows) lastLetter.set(l.dossier_id, l);
    }

    const grouped = async (column: 'field_code' | 'agency_code', query: Record<string, string>) => {
      const q = applyListFilters(this.db, this.db('dossiers as d'), listQuerySchema.parse(query), scope);
      const rows = (await q.select(`d.${column} as code`).count({ n: '*' }).groupBy(`d.${column}`)) as { code: string; n: number | string }[];
      return new Map(rows.map((r) => [String(r.code), Number(r.n)]));
    };
    const table = async (column: 'field_code' | 'agency_code', param: 'fieldCode' | 'agencyCode') => {
      const [lateBy, soonBy] = await Promise.all([grouped(column, lateParams), grouped(column, { dueSoon: '1' })]);
      const codes = [...new Set([...lateBy.keys(), ...soonBy.keys()])];
      // The names from the copy each process keeps (catalog/names.ts), read again if it lacks one of these codes.
      const kept = await catalogNames(this.db, { procedures: [], fields: column === 'field_code' ? codes : [], agencies: column === 'agency_code' ? codes : [] });
      const nameOf = column === 'field_code' ? kept.field : kept.agency;
      return codes
        .map((code) => ({
          code,
          name: nameOf(code),
          late: { n: lateBy.get(code) ?? 0, href: link({ ...lateParams, [param]: code }) },
          dueSoon: { n: soonBy.get(code) ?? 0, href: link({ dueSoon: '1', [param]: code }) },
        }))
        .sort((a, b) => b.late.n - a.late.n || b.dueSoon.n - a.dueSoon.n || a.name.localeCompare(b.name, 'vi'));
    };

    return {
      today,
      next,
      nextLabel: next === addDays(today, 1) ? `ngày mai, ${weekdayName(next)} ${formatDate(next)}` : `${weekdayName(next)} ${formatDate(next)}`,
      month: { from: monthStart, to: monthEnd, label: `tháng ${Number(today.slice(5, 7))}/${today.slice(0, 4)}` },
      dueToday,
      dueNext,
      late,
      dueSoon,
      drafts,
      coverage: {
        all: lateAll,
        covered: lateCovered,
        uncovered: lateUncovered,
        percent: lateAll.n ? Math.round((lateCovered.n / lateAll.n) * 1000) / 10 : null,
        open: { all: late, covered: openCovered, uncovered: openUncovered },
      },
      timeliness: { all: issuedAll, inTime: issuedInTime, late: issuedLate },
      lateList: {
        total: lateList.total,
        items: lateList.items.map((d) => ({ d, days: workingDaysLate(cal, d, now), letter: lastLetter.get(d.id) ?? null })),
        href: link({ ...lateParams, sort: 'due' }),
      },
      byField: await table('field_code', 'fieldCode'),
      byAgency: await table('agency_code', 'agencyCode'),
    };
  }
}

/** The sweep's work, callable from tests and from the server's timer. */
export async function draftMissingLetters(ctx: AppContext, services: Services, now: Date = ctx.clock.now()): Promise<number> {
  return new LetterService(ctx, services).draftMissing(now);
}

/**
 * Where a dossier stands for its apology (SPEC §5), one definition for the letter's page and for issuing: late; due
 * soon (running, its deadline within one working day); open but neither (running with more time left, or stopped
 * before its deadline); or finished.
 */
function situationOf(d: DossierRow, cal: WorkCalendar, now: Date, from: ApologyFrom): 'late' | 'due_soon' | 'open' | 'finished' {
  if (isLate(d, now)) return 'late';
  if (clockRunning(d.status) && d.due_at <= apologyHorizon(cal, now, from).toISOString()) return 'due_soon';
  return isOpen(d.status) ? 'open' : 'finished';
}

/** The engine's new appointment for a dossier now. After an earlier apology it counts from the appointment already given. */
function proposalFor(cal: WorkCalendar, now: Date, d: Pick<DossierRow, 'due_at' | 'appointment_at' | 'status' | 'remaining_minutes'>) {
  const promised = d.appointment_at > d.due_at ? d.appointment_at : d.due_at;
  return proposeAppointment(cal, {
    now,
    dueAt: new Date(promised),
    dueName: promised === d.due_at ? 'hạn giải quyết' : 'ngày hẹn đã hẹn lại',
    clockRunning: clockRunning(d.status),
    remainingMinutes: d.remaining_minutes,
  });
}

async function insertLetter(trx: Knex.Transaction, row: Omit<LetterRow, 'id'>): Promise<number> {
  const [inserted] = await trx('letters').insert(row).returning('id');
  return typeof inserted === 'object' ? inserted.id : inserted;
}

function staleLetter(current: number): ConflictError {
  return new ConflictError(
    `Văn bản vừa được người khác cập nhật hoặc phát hành (phiên bản hiện tại ${current}). Vui lòng tải lại trang.`,
    'stale_version',
  );
}

/** Why a new appointment cannot be given for `at` (a day off, or outside the working periods), and when it could. */
export function outsideWorkingTime(cal: WorkCalendar, at: Date): string {
  const day = cal.dayInfo(localDate(at));
  const why = day.working
    ? `${formatDateTime(at)} là ngoài giờ làm việc`
    : `${weekdayName(at)} ${formatDate(at)} là ngày nghỉ${day.kind === 'weekend' || !day.name ? '' : ` (${day.name})`}`;
  return `Ngày hẹn mới phải trong giờ làm việc của một ngày làm việc: ${why}. Giờ làm việc gần nhất sau đó: ${formatDateTime(cal.normalizeStart(at))}.`;
}
