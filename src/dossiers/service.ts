import type { Knex } from 'knex';
import type { AppContext } from '../shared/context';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { localDate } from '../shared/format';
import type { User } from '../auth/users';
import { getAgency, getProcedure, getProcedureWithDesk, type Agency } from '../catalog/repository';
import type { CalendarService } from '../calendar/repository';
import { computeDue } from '../calendar/working-time';
import { isSqlite, isUniqueViolation, withRetry } from '../db/dialect';
import { GroupCommit } from '../db/group-commit';
import {
  appendState,
  findDossier,
  readDossier,
  readDossierByIntakeKey,
  readDossierPage,
  insertEvent,
  countDossiers,
  listDossierSummaries,
  recentlyReceivedBy,
  listDossiers,
  type ListScope,
  listEvents,
  insertReceivedDossiers,
  type ReceivedDossier,
  type DossierRow,
  type DossierEventRow,
} from './repository';
import type { LetterRow } from '../letters/draft';
import { codeSpellings, type ActionInput, type CorrectionInput, type IntakeInput, type ListQuery } from './schema';
import { appointmentDayOff, followAppointment, isAction, moveClock, nextStatus, refusalReason, replayDue, supplementRefusal, type Action } from './lifecycle';
import { OPEN_STATUSES } from './status';
import { basisOfDesk } from '../reports/definitions';
import type { TraceStep } from '../calendar/working-time';

// How far in the past a clerk's "receivedAt" may be (clock skew between a browser and the server).
const CLOCK_SKEW_MS = 2 * 60_000;

/** The day of a desk's register an instant falls in, as the code writes it: the local date as yymmdd. */
export function registerDay(at: Date): string {
  return localDate(at).replace(/-/g, '').slice(2);
}

/** <agency code>-<yymmdd>-<4-digit daily sequence>; the sequence grows past 9999 rather than wrap. */
export function formatDossierCode(agencyCode: string, receivedAt: Date, sequence: number): string {
  return `${agencyCode}-${registerDay(receivedAt)}-${String(sequence).padStart(4, '0')}`;
}

/**
 * Whether a dossier is what an intake asked: the same procedure, channel and applicant (name and identity number).
 * What a key's second sending must match; the rest (phone, address, papers) a clerk may have corrected since.
 */
export function sameIntake(row: Pick<DossierRow, 'procedure_code' | 'channel' | 'applicant_name' | 'applicant_id_number'>, input: IntakeInput): boolean {
  return (
    row.procedure_code === input.procedureCode &&
    row.channel === input.channel &&
    row.applicant_name === input.applicant.name &&
    (row.applicant_id_number ?? null) === (input.applicant.idNumber ?? null)
  );
}

/**
 * The instant an action or an intake is recorded at: the one given, checked (never in the future; in the past only by
 * an admin), within the clocks' skew of now. One a little ahead of the server's clock is recorded as now: the future
 * is never written (a receipt at 23:59:30 local, sent from a clock a minute fast, took the next day's code, and the
 * next action "now" was refused as earlier than it).
 */
export function checkInstant(at: Date, now: Date, user: User, field: string): Date {
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new ValidationError({ [field]: 'Không được ghi thời điểm trong tương lai.' });
  }
  if (at.getTime() < now.getTime() - CLOCK_SKEW_MS && user.role !== 'admin') {
    throw new ForbiddenError('Chỉ quản trị viên được ghi thời điểm trong quá khứ.');
  }
  return at.getTime() > now.getTime() ? now : at;
}

/** At most this many intakes share one SQLite transaction (a batch of 64 writes in about 10 ms), or one PostgreSQL statement. */
const INTAKE_BATCH = 64;

/**
 * SQLite: a batch waits while intakes keep arriving, up to this many turns of the event loop. The app starts four
 * requests a turn (shared/turns.ts), and a batch written at the next turn held 8 of 32 clients' intakes; each commit
 * writes every page its batch changed to the log and syncs it, on the event loop. Gathered, batches held 31–32: on the
 * bench's data set, 32 clients, old and new alternated seven times, 297–493 → 376–652 intakes/s (six of seven pairs
 * faster) and 1.7–2.9 → 1.4–2.4 ms of the app's CPU per intake. Idle, an intake waits one turn more (microseconds). PostgreSQL gained nothing (its batch is
 * formed while the previous statement is away): 407–437 against 420–501/s.
 */
const INTAKE_GATHER_TURNS = 8;

/** What the audit log keeps of a recompute (recomputeOpen): the counts and the first codes. */
export function recomputeAuditDetail(result: Awaited<ReturnType<DossierService['recomputeOpen']>>): Record<string, unknown> {
  const off = result.appointmentsOnDaysOff.map((a) => a.code);
  return {
    checked: result.checked,
    moved: result.moved.length,
    codes: result.moved.slice(0, 20).map((m) => m.code),
    ...(off.length ? { appointmentsOnDaysOff: off.slice(0, 20) } : {}),
  };
}

export class DossierService {
  /**
   * Writes a received dossier. Intakes that arrive together are committed together (db/group-commit.ts): one sync of
   * the log serves them all.
   * - SQLite: one queue; its batch is one transaction (the database has one writer anyway).
   * - PostgreSQL: one queue per register counter (desk and day), its batch one statement. An
   *   intake holds its desk's counter row locked until its commit, so a busy desk's intakes take turns on that row
   *   whatever the app does; batched, one turn serves all that wait in this process. Other desks' queues run beside
   *   it. A queue is dropped once idle.
   */
  private readonly writeReceived: (item: ReceivedDossier) => Promise<DossierRow>;

  constructor(
    private readonly ctx: AppContext,
    private readonly calendars: CalendarService,
  ) {
    const db = ctx.db;
    const writeBatch = (items: readonly ReceivedDossier[]) => withRetry(() => insertReceivedDossiers(db, items));
    const writeOne = async (item: ReceivedDossier) => (await writeBatch([item]))[0];
    if (isSqlite(db)) {
      const queue = new GroupCommit({ writeBatch, writeOne, maxBatch: INTAKE_BATCH, gatherTurns: INTAKE_GATHER_TURNS });
      this.writeReceived = (item) => queue.write(item);
    } else {
      const queues = new Map<string, GroupCommit<ReceivedDossier, DossierRow>>();
      this.writeReceived = (item) => {
        const key = `${item.counter.agencyCode} ${item.counter.day}`;
        let queue = queues.get(key);
        if (!queue) {
          const created: GroupCommit<ReceivedDossier, DossierRow> = new GroupCommit({
            writeBatch,
            writeOne,
            maxBatch: INTAKE_BATCH,
            onIdle: () => {
              if (queues.get(key) === created) queues.delete(key);
            },
          });
          queues.set(key, (queue = created));
        }
        return queue.write(item);
      };
    }
  }

  async calendar() {
    return this.calendars.get(this.ctx.clock.now().getTime());
  }

  /**
   * The desk a user asks to receive at: the explicit one (admins, or a clerk naming their own), else the user's; null
   * (an admin naming none) leaves it to the procedure's own agency.
   */
  private requestedDesk(input: IntakeInput, user: User): string | null {
    return input.agencyCode ?? (user.role === 'admin' ? null : user.agencyCode) ?? null;
  }

  /** The receiving agency, checked: `code` is the requested desk or the procedure's agency, `desk` its row if any. */
  private checkDesk(code: string | null, desk: Agency | null, user: User): Agency {
    if (!code) throw new ValidationError({ agencyCode: 'Chọn cơ quan tiếp nhận.' });
    if (user.role !== 'admin' && code !== user.agencyCode) {
      throw new ForbiddenError('Bạn chỉ được tiếp nhận hồ sơ cho cơ quan của mình.');
    }
    if (!desk) throw new ValidationError({ agencyCode: `Không có cơ quan mã ${code}.` });
    return desk;
  }

  /** Due date preview for the intake form: nothing is written. */
  async preview(procedureCode: string, receivedAt: Date) {
    const procedure = await getProcedure(this.ctx.db, procedureCode);
    if (!procedure) throw new NotFoundError(`Không có thủ tục mã ${procedureCode}.`);
    const due = computeDue(await this.calendar(), receivedAt, procedure.duration);
    return { procedure, ...due };
  }

  /**
   * Receives a dossier once for an intake key (an intake form's, or an API client's Idempotency-Key): sent again, after
   * a slow answer or a timeout, it answers the dossier the first sending made, with `replayed`, and writes nothing.
   * The key is the sender's: it is kept prefixed with the user's id. Two sendings at once, in one process or two, are
   * decided by the key's unique index: the loser reads the winner's dossier. A key that made another intake (another
   * procedure, channel or applicant) is refused: its sender named two dossiers alike. Without a key, an intake as any.
   */
  async receiveOnce(input: IntakeInput, user: User, key: string | null): Promise<{ row: DossierRow; replayed: boolean }> {
    if (key === null) return { row: await this.receive(input, user), replayed: false };
    const intakeKey = `${user.id}:${key}`;
    const replay = async () => {
      const prior = await readDossierByIntakeKey(this.ctx.db, intakeKey);
      if (prior && !sameIntake(prior, input)) {
        throw new AppError(
          422,
          'idempotency_key_reused',
          `Khóa tiếp nhận (Idempotency-Key) này đã dùng cho hồ sơ ${prior.code} (${prior.applicant_name}, thủ tục ${prior.procedure_code}) với nội dung khác: mỗi hồ sơ mới cần một khóa mới.`,
        );
      }
      return prior;
    };
    const prior = await replay();
    if (prior) return { row: prior, replayed: true };
    try {
      return { row: await this.receive(input, user, intakeKey), replayed: false };
    } catch (err) {
      const winner = isUniqueViolation(err) ? await replay() : null;
      if (!winner) throw err;
      return { row: winner, replayed: true };
    }
  }

  async receive(input: IntakeInput, user: User, intakeKey: string | null = null): Promise<DossierRow> {
    const { db } = this.ctx;
    const now = this.ctx.clock.now();
    const receivedAt = checkInstant(input.receivedAt ?? now, now, user, 'receivedAt');
    const requested = this.requestedDesk(input, user);
    const found = await getProcedureWithDesk(db, input.procedureCode, requested);
    if (!found || !found.procedure.active) {
      throw new ValidationError({ procedureCode: `Không có thủ tục mã ${input.procedureCode}.` });
    }
    const { procedure } = found;
    const agency = this.checkDesk(requested ?? procedure.agencyCode, found.desk, user);
    const due = computeDue(await this.calendar(), receivedAt, procedure.duration);

    const agencyCode = procedure.agencyCode ?? agency.code;
    return this.writeReceived({
      dossier: {
        procedure_code: procedure.code,
        field_code: procedure.fieldCode,
        received_agency_code: agency.code,
        agency_code: agencyCode,
        channel: input.channel,
        applicant_name: input.applicant.name,
        applicant_id_number: input.applicant.idNumber ?? null,
        applicant_phone: input.applicant.phone ?? null,
        applicant_email: input.applicant.email ?? null,
        applicant_address: input.applicant.address ?? null,
        sets: input.sets,
        documents: input.documents ?? null,
        received_at: receivedAt.toISOString(),
        clock_start_at: due.startAt.toISOString(),
        duration_minutes: due.minutes,
        on_supplement: procedure.onSupplement,
        due_at: due.dueAt.toISOString(),
        appointment_at: due.dueAt.toISOString(),
        remaining_minutes: null,
        status: 'processing',
        finished_at: null,
        returned_at: null,
        outcome: null,
        outcome_reason: null,
        due_trace: JSON.stringify(due.trace),
        version: 1,
        created_by: user.id,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        intake_key: intakeKey,
      },
      event: {
        type: 'receive',
        at: receivedAt.toISOString(),
        actor_id: user.id,
        actor_name: user.fullName,
        data: JSON.stringify({ channel: input.channel, agencyCode: agency.code, dueAt: due.dueAt.toISOString(), duration: procedure.duration }),
        recorded_at: now.toISOString(),
      },
      counter: {
        agencyCode: agency.code,
        day: registerDay(receivedAt),
        format: (n) => formatDossierCode(agency.code, receivedAt, n),
      },
    });
  }

  /** A dossier the user may see, or 404 (never 403: the code of another agency's dossier is not confirmed). */
  async get(code: string, user: User): Promise<DossierRow> {
    return this.seenBy(await readDossier(this.ctx.db, code), code, user);
  }

  /** The dossier read for `code` when this user may see it; "not found" otherwise, whether it exists or not. */
  private async seenBy(row: DossierRow | null | undefined, code: string, user: User): Promise<DossierRow> {
    if (row && (this.canSee(row, user) || (await this.handledBefore(row, user)))) return row;
    throw new NotFoundError(`Không tìm thấy hồ sơ ${code}.`);
  }

  /**
   * The user's agency handled the dossier once and transferred it on: it reads the dossier (its reports count it for
   * the months it held it, and their numbers list it), and acts on it no more.
   */
  async handledBefore(row: Pick<DossierRow, 'id'>, user: User, db: Knex = this.ctx.db): Promise<boolean> {
    if (!user.agencyCode) return false;
    const state = await db('dossier_states').where({ dossier_id: row.id, agency_code: user.agencyCode }).first('dossier_id');
    return state !== undefined;
  }

  /** What the dossier page shows: the dossier, its events and its letters, from one snapshot (repository.ts readDossierPage). */
  async page(code: string, user: User): Promise<{ row: DossierRow; events: DossierEventRow[]; letters: LetterRow[] }> {
    const page = await readDossierPage(this.ctx.db, code);
    return { ...page!, row: await this.seenBy(page?.row, code, user) };
  }

  /**
   * The dossier whose code is the text, in its own case or in capitals (a code typed in lower case), when this user
   * may see it: what the quick search opens straight away. Null for anything else, which is then searched for.
   */
  async findByCode(text: string, user: User): Promise<DossierRow | null> {
    if (/\s/.test(text)) return null;
    for (const code of codeSpellings(text)) {
      const row = await readDossier(this.ctx.db, code);
      if (row && (this.canSee(row, user) || (await this.handledBefore(row, user)))) return row;
    }
    return null;
  }

  /** The dossier is the user's agency's now (it handles it or received it): its staff see it and act on it. */
  canSee(row: DossierRow, user: User): boolean {
    return user.role === 'admin' || row.agency_code === user.agencyCode || row.received_agency_code === user.agencyCode;
  }

  async events(row: DossierRow) {
    return listEvents(this.ctx.db, row.id);
  }

  async list(query: ListQuery, user: User) {
    return listDossiers(this.ctx.db, query, await this.listScope(user));
  }

  /**
   * A list of a report's number counts its dossiers as that report does when the basis is not asked (SPEC §6: every
   * number links to its list): by the desk of the agency asked, or the user's (reports/definitions basisOfDesk). The
   * API's list of the centre's received gave 0 where its report said 368.
   */
  async withReportBasis(query: ListQuery, user: User): Promise<ListQuery> {
    if (!query.report || query.agencyBasis) return query;
    const code = query.agencyCode ?? user.agencyCode;
    return { ...query, agencyBasis: basisOfDesk(code ? await getAgency(this.ctx.db, code) : null) };
  }

  /** The list with the columns a page's table shows (SummaryRow). */
  async listSummaries(query: ListQuery, user: User) {
    return listDossierSummaries(this.ctx.db, query, await this.listScope(user));
  }

  /** How many dossiers the list would hold. */
  async count(query: ListQuery, user: User): Promise<number> {
    return countDossiers(this.ctx.db, query, await this.listScope(user));
  }

  /** The dossiers this user received most recently. */
  async recentlyReceived(user: User, limit: number) {
    return recentlyReceivedBy(this.ctx.db, user, limit);
  }

  private async listScope(user: User): Promise<ListScope> {
    const now = this.ctx.clock.now();
    const calendar = await this.calendar();
    return {
      agencyCode: user.role === 'admin' ? null : (user.agencyCode ?? '__none__'),
      now,
      dueSoonUntil: calendar.addWorkingMinutes(now, calendar.minutesPerDay),
    };
  }

  /** Who may correct what intake wrote of a dossier: an admin, or a clerk of the desk that received or handles it. */
  mayCorrect(row: DossierRow, user: User): boolean {
    if (user.role === 'admin') return true;
    return user.role === 'clerk' && this.canSee(row, user);
  }

  /**
   * Corrects the applicant's details, the papers and the number of sets as intake wrote them (a name or a phone number
   * mistyped, and the citizen was called at a wrong number: the only way out was to withdraw the dossier, counted in
   * the report, and receive it again under a new code). The procedure, the channel and the instants are not corrected:
   * they make the deadline and the report. The history keeps what was written before, with the reason.
   */
  async correct(code: string, input: CorrectionInput, user: User): Promise<DossierRow> {
    const { db } = this.ctx;
    const now = this.ctx.clock.now();
    return withRetry(() =>
      db.transaction(async (trx) => {
        const row = await findDossier(trx, code);
        if (!row || !this.canSee(row, user)) {
          if (row && user.role !== 'head' && (await this.handledBefore(row, user, trx))) {
            throw new ForbiddenError(`Hồ sơ ${code} đã chuyển sang ${row.agency_name ?? row.agency_code} giải quyết: cơ quan của bạn chỉ xem, không sửa được.`);
          }
          throw new NotFoundError(`Không tìm thấy hồ sơ ${code}.`);
        }
        if (!this.mayCorrect(row, user)) throw new ForbiddenError('Chỉ cán bộ một cửa của cơ quan hoặc quản trị viên được sửa thông tin hồ sơ.');
        if (row.version !== input.version) throw staleVersion(row.version);
        const next = {
          applicant_name: input.applicant.name,
          applicant_id_number: input.applicant.idNumber ?? null,
          applicant_phone: input.applicant.phone ?? null,
          applicant_email: input.applicant.email ?? null,
          applicant_address: input.applicant.address ?? null,
          documents: input.documents ?? null,
          sets: input.sets,
        };
        const changes = Object.fromEntries(
          (Object.keys(next) as (keyof typeof next)[])
            .filter((k) => (row[k] ?? null) !== next[k])
            .map((k) => [k, [row[k] ?? null, next[k]]]),
        );
        if (!Object.keys(changes).length) throw new ValidationError({ reason: 'Chưa có thông tin nào thay đổi.' }, 'Không có gì để sửa.');
        const updated = await trx('dossiers')
          .where({ id: row.id, version: row.version })
          .update({ ...next, version: row.version + 1, updated_at: now.toISOString() });
        if (updated !== 1) throw staleVersion(row.version);
        await insertEvent(trx, {
          dossier_id: row.id,
          type: 'correct',
          at: now.toISOString(),
          actor_id: user.id,
          actor_name: user.fullName,
          data: JSON.stringify({ reason: input.reason, changes }),
          recorded_at: now.toISOString(),
        });
        return (await findDossier(trx, code))!;
      }),
    );
  }

  /**
   * One lifecycle action: check the state and the version, move the clock, update the dossier and append
   * the event — all in one transaction; a stale version or a concurrent change answers 409 and writes nothing.
   */
  async act(code: string, input: ActionInput, user: User): Promise<DossierRow> {
    const { db } = this.ctx;
    if (!isAction(input.action)) {
      throw new ValidationError({ action: `Thao tác không hợp lệ: "${input.action}".` }, 'Thao tác không hợp lệ.');
    }
    const action: Action = input.action;
    if (user.role === 'head') throw new ForbiddenError('Lãnh đạo không thực hiện thao tác xử lý hồ sơ; cán bộ một cửa thực hiện.');
    const fields = requiredFor(action, input);
    if (Object.keys(fields).length) throw new ValidationError(fields);

    const now = this.ctx.clock.now();
    const at = checkInstant(input.at ?? now, now, user, 'at');
    const calendar = await this.calendar();

    return withRetry(() =>
      db.transaction(async (trx) => {
        const row = await findDossier(trx, code);
        if (row && !this.canSee(row, user) && (await this.handledBefore(row, user, trx))) {
          throw new ForbiddenError(`Hồ sơ ${code} đã chuyển sang ${row.agency_name ?? row.agency_code} giải quyết: cơ quan của bạn chỉ xem, không thao tác được.`);
        }
        if (!row || !this.canSee(row, user)) throw new NotFoundError(`Không tìm thấy hồ sơ ${code}.`);
        // A stale version first: whoever lost a race learns that someone else changed the dossier.
        if (input.version !== row.version) throw staleVersion(row.version);
        const refusal = refusalReason(row.status, action);
        if (refusal) throw new ConflictError(refusal, 'invalid_state');
        if (action === 'request_supplement') {
          const asked = await trx('dossier_events').where({ dossier_id: row.id, type: 'request_supplement' }).orderBy('at').select('at');
          const once = supplementRefusal(this.ctx.config.supplementRequests, asked);
          if (once) throw new ConflictError(once, 'supplement_already_requested');
        }
        const patch: Partial<DossierRow> = { status: nextStatus(row.status, action), updated_at: now.toISOString() };
        const data: Record<string, unknown> = {};
        if (input.reason) data.reason = input.reason;

        const clock = moveClock(
          calendar,
          {
            status: row.status,
            dueAt: new Date(row.due_at),
            remainingMinutes: row.remaining_minutes,
            durationMinutes: row.duration_minutes,
            onSupplement: row.on_supplement,
          },
          action,
          at,
        );
        if (clock) {
          patch.due_at = clock.dueAt.toISOString();
          patch.remaining_minutes = clock.remainingMinutes;
          if (clock.clockStartAt) patch.clock_start_at = clock.clockStartAt.toISOString();
          patch.appointment_at = followAppointment(row.appointment_at, row.due_at, patch.due_at);
          patch.due_trace = JSON.stringify([...(JSON.parse(row.due_trace) as TraceStep[]), ...clock.trace]);
          if (clock.remainingMinutes !== null) data.remainingMinutes = clock.remainingMinutes;
          if (patch.due_at !== row.due_at) Object.assign(data, { dueBefore: row.due_at, dueAt: patch.due_at });
        }

        switch (action) {
          case 'request_supplement':
            data.items = input.items;
            break;
          case 'transfer': {
            const to = await getAgency(trx, input.toAgencyCode!);
            if (!to) throw new ValidationError({ toAgencyCode: `Không có cơ quan mã ${input.toAgencyCode}.` });
            if (to.code === row.agency_code) throw new ValidationError({ toAgencyCode: 'Hồ sơ đang ở chính cơ quan này.' });
            patch.agency_code = to.code;
            Object.assign(data, { fromAgencyCode: row.agency_code, toAgencyCode: to.code, toAgencyName: to.name });
            break;
          }
          case 'resolve':
            patch.finished_at = at.toISOString();
            patch.outcome = input.outcome!;
            patch.outcome_reason = input.reason ?? null;
            data.outcome = input.outcome;
            data.late = at.toISOString() > row.due_at;
            break;
          case 'return':
            patch.returned_at = at.toISOString();
            break;
          case 'withdraw':
            patch.finished_at = at.toISOString();
            patch.remaining_minutes = null;
            break;
        }

        const updated = await trx('dossiers')
          .where({ id: row.id, version: row.version })
          .update({ ...patch, version: row.version + 1 });
        if (updated !== 1) throw staleVersion(row.version);
        // After the update, which holds the dossier's row: asked before it, on PostgreSQL this could see the event of
        // an action another process committed since the dossier was read, and the race's loser was told its instant
        // came too early (422) instead of that someone else changed the dossier (409). Refusing rolls the update back.
        const last = await trx('dossier_events').where({ dossier_id: row.id }).max({ at: 'at' }).first();
        if (last?.at && at.toISOString() < last.at) await beforeRecomputes(trx, row.id, at.toISOString());
        await insertEvent(trx, {
          dossier_id: row.id,
          type: action,
          at: at.toISOString(),
          actor_id: user.id,
          actor_name: user.fullName,
          data: JSON.stringify(data),
          recorded_at: now.toISOString(),
        });
        await appendState(trx, row.id, {
          at: at.toISOString(),
          status: patch.status!,
          dueAt: patch.due_at ?? row.due_at,
          agencyCode: patch.agency_code ?? row.agency_code,
        });
        return (await findDossier(trx, code))!;
      }),
    );
  }

  /**
   * After a calendar change: play every open dossier's history again on the current calendar and move the
   * deadlines that changed, each with a 'recompute_due' event. Dossiers whose deadline stays are untouched.
   */
  async recomputeOpen(user: Pick<User, 'role' | 'fullName'> & { id: number | null }): Promise<{
    checked: number;
    moved: { code: string; dueBefore: string; dueAt: string }[];
    /** Open dossiers whose appointment, given by an issued letter, now falls on a day off: a head sets another. */
    appointmentsOnDaysOff: { code: string; appointmentAt: string; dayName: string | null }[];
  }> {
    if (user.role !== 'admin') throw new ForbiddenError('Chỉ quản trị viên được tính lại hạn giải quyết.');
    const { db } = this.ctx;
    const now = this.ctx.clock.now();
    this.calendars.invalidate(); // the calendar as it is in the database now, whatever another process changed
    const calendar = await this.calendars.get(now.getTime());
    const open = await db('dossiers').whereIn('status', OPEN_STATUSES).select('id').orderBy('id');
    const moved: { code: string; dueBefore: string; dueAt: string }[] = [];
    const appointmentsOnDaysOff: { code: string; appointmentAt: string; dayName: string | null }[] = [];
    for (const { id } of open) {
      await withRetry(() =>
        db.transaction(async (trx) => {
          const row = (await trx('dossiers').where({ id }).first()) as DossierRow | undefined;
          if (!row || !OPEN_STATUSES.includes(row.status)) return;
          // The appointment of an issued letter is a promise in writing: it is not moved, but one now on a day off is
          // named, whether the deadline moves or not (a day off added after the deadline, before the appointment).
          const off = appointmentDayOff(calendar, row);
          if (off) appointmentsOnDaysOff.push({ code: row.code, appointmentAt: row.appointment_at, dayName: off.name });
          const events = (await listEvents(trx, id)) as { type: string; at: string; data: string }[];
          const receive = events.find((e) => e.type === 'receive');
          const received = receive ? JSON.parse(receive.data) : {};
          // A deadline imported from the old system is that system's legal one: the calendar did not make it.
          if (received.dueFromFile) return;
          const duration = received.duration;
          const replay = replayDue(
            calendar,
            {
              receivedAt: new Date(row.received_at),
              duration: duration ?? { value: row.duration_minutes / 60, unit: 'working_hours' },
              onSupplement: row.on_supplement,
            },
            events.filter((e) => e.type !== 'receive').map((e) => ({ type: e.type, at: new Date(e.at) })),
          );
          const dueAt = replay.dueAt.toISOString();
          if (dueAt === row.due_at && replay.remainingMinutes === row.remaining_minutes) return;
          await trx('dossiers')
            .where({ id, version: row.version })
            .update({
              due_at: dueAt,
              remaining_minutes: replay.remainingMinutes,
              clock_start_at: replay.clockStartAt.toISOString(),
              // The appointment follows a deadline moved later, never one moved earlier (a day off taken back): the
              // citizen holds a receipt, or a letter, with that date, and would come for the result on it.
              appointment_at: dueAt > row.appointment_at ? dueAt : row.appointment_at,
              due_trace: JSON.stringify(replay.trace),
              version: row.version + 1,
              updated_at: now.toISOString(),
            });
          await insertEvent(trx, {
            dossier_id: id,
            type: 'recompute_due',
            at: now.toISOString(),
            actor_id: user.id,
            actor_name: user.fullName,
            data: JSON.stringify({ dueBefore: row.due_at, dueAt, reason: 'Thay đổi lịch làm việc' }),
            recorded_at: now.toISOString(),
          });
          await appendState(trx, id, { at: now.toISOString(), status: row.status, dueAt, agencyCode: row.agency_code });
          if (dueAt !== row.due_at) moved.push({ code: row.code, dueBefore: row.due_at, dueAt });
        }),
      );
    }
    return { checked: open.length, moved, appointmentsOnDaysOff };
  }
}


/**
 * An action backdated before the dossier's last event: refused, unless all that came after it are recomputes of the
 * deadline (an admin's, after a calendar change) or corrections of the applicant's details. A paper result signed
 * before a recompute could not be entered at all. The action came first: the state intervals the recomputes opened
 * after its instant give way to the one it opens (the events stay, in the order they were recorded).
 */
async function beforeRecomputes(trx: Knex.Transaction, dossierId: number, at: string): Promise<void> {
  const action = await trx('dossier_events').where({ dossier_id: dossierId }).whereNotIn('type', ['recompute_due', 'correct']).max({ at: 'at' }).first();
  if (action?.at && at < action.at) throw new ValidationError({ at: 'Thời điểm không được sớm hơn thao tác trước đó của hồ sơ.' });
  await trx('dossier_states').where({ dossier_id: dossierId }).where('valid_from', '>', at).del();
  await trx('dossier_states').where({ dossier_id: dossierId }).where('valid_to', '>', at).update({ valid_to: null });
}

function staleVersion(current: number): ConflictError {
  return new ConflictError(
    `Hồ sơ vừa được người khác cập nhật (phiên bản hiện tại ${current}). Vui lòng tải lại trang để xem thay đổi rồi thực hiện lại.`,
    'stale_version',
  );
}

/** The fields each action needs, with the Vietnamese message when one is missing. */
export function requiredFor(action: Action, input: ActionInput): Record<string, string> {
  const missing: Record<string, string> = {};
  if (action === 'request_supplement') {
    if (!input.reason) missing.reason = 'Nhập lý do yêu cầu bổ sung.';
    if (!input.items?.length) missing.items = 'Liệt kê đầy đủ các giấy tờ cần bổ sung (mỗi dòng một giấy tờ).';
  }
  if (action === 'pause' && !input.reason) missing.reason = 'Nhập lý do tạm dừng (ví dụ: chờ thực hiện nghĩa vụ tài chính, thẩm định).';
  if (action === 'withdraw' && !input.reason) missing.reason = 'Nhập lý do hoặc văn bản đề nghị rút hồ sơ.';
  if (action === 'transfer' && !input.toAgencyCode) missing.toAgencyCode = 'Chọn cơ quan nhận hồ sơ.';
  if (action === 'resolve') {
    if (!input.outcome) missing.outcome = 'Chọn kết quả: giải quyết hoặc từ chối.';
    else if (input.outcome === 'refused' && !input.reason) missing.reason = 'Nhập lý do từ chối giải quyết.';
  }
  return missing;
}
