// Refusing to receive a dossier (FORMS.md Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ): when a request cannot be
// received at the desk, the clerk gives the citizen a slip saying why. No dossier is made; the refusal is kept,
// numbered per desk and year, so the slip can be printed again and the desk knows who refused what.
import type { Knex } from 'knex';
import { getAgency, getProcedure, type Agency } from '../catalog/repository';
import { nextCounter } from '../db/dialect';
import type { User } from '../auth/users';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { documentNumber, isoLocal, localDate } from '../shared/format';
import type { z } from '../shared/validation';
import type { refusalSchema } from './schema';

export type RefusalInput = z.infer<typeof refusalSchema>;

export interface RefusalRow {
  id: number;
  agency_code: string;
  year: number;
  number: number;
  procedure_code: string;
  applicant_name: string;
  applicant_address: string | null;
  applicant_phone: string | null;
  applicant_email: string | null;
  reason: string;
  refused_at: string;
  refused_by: number | null;
  actor_name: string;
  // joined
  procedure_name: string;
}

/**
 * Records a refusal at the user's desk (an admin names the desk, or the procedure's agency is taken) and gives it the
 * desk's next number of the year, in one transaction.
 */
export async function refuseIntake(db: Knex, input: RefusalInput, user: User, now: Date): Promise<RefusalRow> {
  const procedure = await getProcedure(db, input.procedureCode);
  if (!procedure) throw new ValidationError({ procedureCode: `Không có thủ tục mã ${input.procedureCode}.` });
  const deskCode = user.role === 'admin' ? (input.agencyCode ?? procedure.agencyCode) : user.agencyCode;
  if (!deskCode) throw new ValidationError({ agencyCode: 'Chọn cơ quan tiếp nhận.' });
  if (user.role !== 'admin' && input.agencyCode && input.agencyCode !== user.agencyCode) {
    throw new ForbiddenError('Bạn chỉ được từ chối tiếp nhận tại cơ quan của mình.');
  }
  const desk: Agency | null = await getAgency(db, deskCode);
  if (!desk) throw new ValidationError({ agencyCode: `Không có cơ quan mã ${deskCode}.` });
  const year = Number(localDate(now).slice(0, 4));
  const id = await db.transaction(async (trx) => {
    const number = await nextCounter(trx, 'refusal_numbers', { agency_code: desk.code, year });
    const [row] = await trx('intake_refusals')
      .insert({
        agency_code: desk.code,
        year,
        number,
        procedure_code: procedure.code,
        applicant_name: input.applicant.name,
        applicant_address: input.applicant.address ?? null,
        applicant_phone: input.applicant.phone ?? null,
        applicant_email: input.applicant.email ?? null,
        reason: input.reason,
        refused_at: now.toISOString(),
        refused_by: user.id,
        actor_name: user.fullName,
      })
      .returning('id');
    return Number(typeof row === 'object' ? row.id : row);
  });
  return getRefusal(db, id, user);
}

/** A refusal the user may see: their own desk's (an admin's, any). */
export async function getRefusal(db: Knex, id: number, user: User): Promise<RefusalRow> {
  const row: RefusalRow | undefined = Number.isSafeInteger(id)
    ? await db('intake_refusals as r').join('procedures as p', 'p.code', 'r.procedure_code').where('r.id', id).first('r.*', 'p.name as procedure_name')
    : undefined;
  if (!row || (user.role !== 'admin' && row.agency_code !== user.agencyCode)) throw new NotFoundError('Không tìm thấy phiếu từ chối này.');
  return row;
}

export const REFUSALS_PAGE_SIZE = 50;

/** The refusals the user may see, newest first: their desk's (by its numbers), or every desk's for an admin. */
export async function listRefusals(db: Knex, user: User, page: number, pageSize = REFUSALS_PAGE_SIZE): Promise<{ items: RefusalRow[]; total: number }> {
  const mine = (q: Knex.QueryBuilder) => (user.role === 'admin' ? q : q.where('r.agency_code', user.agencyCode ?? '__none__'));
  const [{ n }] = await mine(db('intake_refusals as r')).count({ n: '*' });
  const order = user.role === 'admin' ? [{ column: 'r.id', order: 'desc' as const }] : [{ column: 'r.year', order: 'desc' as const }, { column: 'r.number', order: 'desc' as const }];
  const items: RefusalRow[] = await mine(db('intake_refusals as r').join('procedures as p', 'p.code', 'r.procedure_code'))
    .orderBy(order)
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .select('r.*', 'p.name as procedure_name');
  return { items, total: Number(n) };
}

/** A refusal as the API answers it (SPEC §7: instants with +07:00). */
export function toRefusalJson(r: RefusalRow) {
  return {
    id: r.id,
    number: `${documentNumber(r.number)}/${r.year}/PTC`,
    agencyCode: r.agency_code,
    procedureCode: r.procedure_code,
    procedureName: r.procedure_name,
    applicant: { name: r.applicant_name, phone: r.applicant_phone, email: r.applicant_email, address: r.applicant_address },
    reason: r.reason,
    refusedAt: isoLocal(r.refused_at),
    refusedBy: r.actor_name,
  };
}
