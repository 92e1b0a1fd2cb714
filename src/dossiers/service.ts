import type { AppContext } from '../shared/context';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { localDate } from '../shared/format';
import type { User } from '../auth/users';
import { getAgency, getProcedure } from '../catalog/repository';
import type { CalendarService } from '../calendar/repository';
import { computeDue } from '../calendar/working-time';
import { isRetryableConflict } from '../db/dialect';
import {
  findDossier,
  insertDossier,
  insertEvent,
  listDossiers,
  listEvents,
  nextSequence,
  type DossierRow,
} from './repository';
import type { IntakeInput, ListQuery } from './schema';

// How far in the past a clerk's "receivedAt" may be (clock skew between a browser and the server).
const CLOCK_SKEW_MS = 2 * 60_000;

/** <agency code>-<yymmdd>-<4-digit daily sequence>; the sequence grows past 9999 rather than wrap. */
export function formatDossierCode(agencyCode: string, receivedAt: Date, sequence: number): string {
  const day = localDate(receivedAt).replace(/-/g, '').slice(2);
  return `${agencyCode}-${day}-${String(sequence).padStart(4, '0')}`;
}

export function checkInstant(at: Date, now: Date, user: User, field: string): void {
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new ValidationError({ [field]: 'Không được ghi thời điểm trong tương lai.' });
  }
  if (at.getTime() < now.getTime() - CLOCK_SKEW_MS && user.role !== 'admin') {
    throw new ForbiddenError('Chỉ quản trị viên được ghi thời điểm trong quá khứ.');
  }
}

export class DossierService {
  constructor(
    private readonly ctx: AppContext,
    private readonly calendars: CalendarService,
  ) {}

  async calendar() {
    return this.calendars.get(this.ctx.clock.now().getTime());
  }

  /** Which agency receives: the explicit one (admins, or a clerk naming their own), else the user's, else the procedure's. */
  private async receivingAgency(input: IntakeInput, user: User, procedureAgency: string | null) {
    const code = input.agencyCode ?? (user.role === 'admin' ? null : user.agencyCode) ?? procedureAgency;
    if (!code) throw new ValidationError({ agencyCode: 'Chọn cơ quan tiếp nhận.' });
    if (user.role !== 'admin' && code !== user.agencyCode) {
      throw new ForbiddenError('Bạn chỉ được tiếp nhận hồ sơ cho cơ quan của mình.');
    }
    const agency = await getAgency(this.ctx.db, code);
    if (!agency) throw new ValidationError({ agencyCode: `Không có cơ quan mã ${code}.` });
    return agency;
  }

  /** Due date preview for the intake form: nothing is written. */
  async preview(procedureCode: string, receivedAt: Date) {
    const procedure = await getProcedure(this.ctx.db, procedureCode);
    if (!procedure) throw new NotFoundError(`Không có thủ tục mã ${procedureCode}.`);
    const due = computeDue(await this.calendar(), receivedAt, procedure.duration);
    return { procedure, ...due };
  }

  async receive(input: IntakeInput, user: User): Promise<DossierRow> {
    const { db } = this.ctx;
    const now = this.ctx.clock.now();
    const receivedAt = input.receivedAt ?? now;
    checkInstant(receivedAt, now, user, 'receivedAt');
    const procedure = await getProcedure(db, input.procedureCode);
    if (!procedure || !procedure.active) {
      throw new ValidationError({ procedureCode: `Không có thủ tục mã ${input.procedureCode}.` });
    }
    const agency = await this.receivingAgency(input, user, procedure.agencyCode);
    const due = computeDue(await this.calendar(), receivedAt, procedure.duration);

    const code = await this.withRetry(() =>
      db.transaction(async (trx) => {
        const sequence = await nextSequence(trx, agency.code, localDate(receivedAt).replace(/-/g, '').slice(2));
        const dossierCode = formatDossierCode(agency.code, receivedAt, sequence);
        const id = await insertDossier(trx, {
          code: dossierCode,
          procedure_code: procedure.code,
          field_code: procedure.fieldCode,
          received_agency_code: agency.code,
          agency_code: procedure.agencyCode ?? agency.code,
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
        });
        await insertEvent(trx, {
          dossier_id: id,
          type: 'receive',
          at: receivedAt.toISOString(),
          actor_id: user.id,
          actor_name: user.fullName,
          data: JSON.stringify({
            channel: input.channel,
            agencyCode: agency.code,
            dueAt: due.dueAt.toISOString(),
            duration: procedure.duration,
          }),
          recorded_at: now.toISOString(),
        });
        return dossierCode;
      }),
    );
    return (await findDossier(db, code))!;
  }

  /** A dossier the user may see, or 404 (never 403: the code of another agency's dossier is not confirmed). */
  async get(code: string, user: User): Promise<DossierRow> {
    const row = await findDossier(this.ctx.db, code);
    if (!row || !this.canSee(row, user)) throw new NotFoundError(`Không tìm thấy hồ sơ ${code}.`);
    return row;
  }

  canSee(row: DossierRow, user: User): boolean {
    return user.role === 'admin' || row.agency_code === user.agencyCode || row.received_agency_code === user.agencyCode;
  }

  async events(row: DossierRow) {
    return listEvents(this.ctx.db, row.id);
  }

  async list(query: ListQuery, user: User) {
    const now = this.ctx.clock.now();
    const calendar = await this.calendar();
    const dueSoonUntil = calendar.addWorkingMinutes(now, calendar.minutesPerDay);
    return listDossiers(this.ctx.db, query, {
      agencyCode: user.role === 'admin' ? null : (user.agencyCode ?? '__none__'),
      now,
      dueSoonUntil,
    });
  }

  /** SQLite answers BUSY and PostgreSQL a serialization failure when writers collide: try again a few times. */
  private async withRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await work();
      } catch (err) {
        if (i >= attempts || !isRetryableConflict(err)) throw err;
        await new Promise((r) => setTimeout(r, 10 * i + Math.random() * 20));
      }
    }
  }
}

