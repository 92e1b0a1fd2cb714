import { Router } from 'express';
import type { Knex } from 'knex';
import type { WorkingPeriod } from '../calendar/working-time';
import { compareVietnamese } from '../shared/format';
import type { Services } from '../app';
import { audit } from '../audit/log';
import { pageOf, strictPageFields } from '../api/pagination';
import { requireRole, requireUser } from '../auth/guard';
import { isUniqueViolation } from '../db/dialect';
import type { AppContext } from '../shared/context';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { parseInput } from '../shared/http';
import { CONTROL_CHARS, optionalText, requiredText, wholeNumber, z } from '../shared/validation';
import {
  getAgency,
  getField,
  getProcedure,
  insertAgency,
  listAgencies,
  listFields,
  listProcedures,
  renameAgency,
  upsertField,
  upsertProcedure,
  type Agency,
  type Field,
  type Procedure,
} from './repository';
import { LEVELS } from './names';

// ---------------------------------------------------------------------------------------------
// Input schemas, shared by the JSON API and the admin pages (which post the same shapes).

export const LEVEL_NAMES: Record<(typeof LEVELS)[number], string> = {
  province: 'Cấp tỉnh',
  district: 'Cấp huyện',
  commune: 'Cấp xã',
};
export const DURATION_UNITS = ['working_days', 'working_hours'] as const;
export const UNIT_NAMES: Record<(typeof DURATION_UNITS)[number], string> = {
  working_days: 'ngày làm việc',
  working_hours: 'giờ làm việc',
};
export const ON_SUPPLEMENT = ['restart', 'pause'] as const;
export const ON_SUPPLEMENT_NAMES: Record<(typeof ON_SUPPLEMENT)[number], string> = {
  restart: 'Tính lại từ đầu',
  pause: 'Tạm dừng, tính tiếp phần còn lại',
};
/** Longest durations accepted: a year of working days, or as many working hours. */
export const MAX_DAYS = 365;
export const MAX_HOURS = 2000;

/** Codes go into URLs and dossier codes (which the public look-up accepts as [0-9A-Za-z._-]). */
export const codeText = (label: string) =>
  requiredText(64).refine(
    (s) => /^[A-Za-z0-9._-]+$/.test(s),
    `${label} chỉ gồm chữ không dấu, số và các dấu . _ - (không có khoảng trắng).`,
  );

const noControl = (s: string | undefined) => s === undefined || !CONTROL_CHARS.test(s);
const NO_CONTROL = 'Chứa ký tự điều khiển không hợp lệ.';

const bool = z.preprocess((v) => (v === 'true' || v === '1' || v === 'on' ? true : v === 'false' || v === '0' ? false : v), z.boolean({ error: 'Chọn có hoặc không.' }));

export const fieldSchema = z.object({
  code: codeText('Mã lĩnh vực'),
  name: requiredText(300).refine(noControl, NO_CONTROL),
});
export type FieldInput = z.infer<typeof fieldSchema>;

export const agencySchema = z.object({
  code: codeText('Mã cơ quan'),
  name: requiredText(300).refine(noControl, NO_CONTROL),
  parentCode: optionalText(64),
  level: z.enum(LEVELS, { error: 'Cấp là province (tỉnh), district (huyện) hoặc commune (xã).' }).optional(),
  kind: optionalText(32),
});
export type AgencyInput = z.infer<typeof agencySchema>;

/**
 * A procedure as an admin enters it. A promise in hours is compared with the statutory days at the engine's working
 * day (SPEC §3: N working days = N × 450 minutes with the default periods): at the law's 8 hours, 136 hours passed for
 * 17 days and ended a day and an hour after them. A statutory time of 0 days ("trong ngày") allows one working day.
 */
export const procedureSchemaFor = (periods: readonly WorkingPeriod[]) => {
  const minutesPerDay = periods.reduce((sum, p) => sum + p.end - p.start, 0);
  return procedureFields.superRefine((p, issue) => {
    const { value, unit } = p.duration;
    if (unit === 'working_hours' && p.statutoryDays != null && value * 60 > Math.max(1, p.statutoryDays) * minutesPerDay) {
      const hours = (Math.max(1, p.statutoryDays) * minutesPerDay) / 60;
      issue.addIssue({
        code: 'custom',
        path: ['duration', 'value'],
        message: `Thời hạn cam kết (${value} giờ) không được dài hơn thời hạn theo quy định (${p.statutoryDays} ngày, tức ${String(hours).replace('.', ',')} giờ làm việc).`,
      });
    }
  });
};

const procedureFields = z
  .object({
    code: codeText('Mã thủ tục'),
    name: requiredText(2000).refine(noControl, NO_CONTROL),
    fieldCode: requiredText(64),
    agencyCode: optionalText(64),
    level: z.preprocess((v) => (v === '' ? undefined : v), z.enum(LEVELS, { error: 'Cấp là province (tỉnh), district (huyện) hoặc commune (xã).' }).optional()),
    statutoryDays: z.preprocess(
      (v) => (v === '' ? null : v),
      wholeNumber('Thời hạn theo quy định phải là số ngày nguyên.')
        .pipe(z.number().min(0, 'Thời hạn theo quy định không được âm.').max(MAX_DAYS, `Tối đa ${MAX_DAYS} ngày.`))
        .nullable()
        .optional(),
    ),
    duration: z.object(
      {
        value: wholeNumber('Thời hạn giải quyết phải là số nguyên.').pipe(z.number().min(1, 'Thời hạn giải quyết phải lớn hơn 0.')),
        unit: z.enum(DURATION_UNITS, { error: 'Đơn vị là working_days (ngày làm việc) hoặc working_hours (giờ làm việc).' }),
      },
      { error: 'Nhập thời hạn giải quyết: {value, unit}.' },
    ),
    onSupplement: z
      .preprocess((v) => (v === '' ? undefined : v), z.enum(ON_SUPPLEMENT, { error: 'Khi bổ sung hồ sơ: restart (tính lại) hoặc pause (tạm dừng).' }).optional())
      .transform((v) => v ?? 'restart'),
    fee: optionalText(2000).refine(noControl, NO_CONTROL),
    active: bool.optional().transform((v) => v ?? true),
  })
  .superRefine((p, issue) => {
    const { value, unit } = p.duration;
    if (unit === 'working_days' && value > MAX_DAYS) {
      issue.addIssue({ code: 'custom', path: ['duration', 'value'], message: `Tối đa ${MAX_DAYS} ngày làm việc.` });
    }
    if (unit === 'working_hours' && value > MAX_HOURS) {
      issue.addIssue({ code: 'custom', path: ['duration', 'value'], message: `Tối đa ${MAX_HOURS} giờ làm việc.` });
    }
    // A city may promise less than the law gives, never more (in hours: procedureSchemaFor). "Trong ngày" (0 days)
    // allows one working day, as it allows its hours.
    if (unit === 'working_days' && p.statutoryDays != null && p.statutoryDays >= 0 && value > Math.max(1, p.statutoryDays)) {
      issue.addIssue({
        code: 'custom',
        path: ['duration', 'value'],
        message: `Thời hạn cam kết (${value} ngày) không được dài hơn thời hạn theo quy định (${p.statutoryDays} ngày).`,
      });
    }
  });
export type ProcedureInput = z.infer<typeof procedureFields>;

// ---------------------------------------------------------------------------------------------
// Use cases: each checks references and duplicates, then writes.

export async function createField(db: Knex, input: FieldInput): Promise<Field> {
  const taken = () => new ConflictError(`Mã lĩnh vực ${input.code} đã tồn tại.`, 'duplicate');
  return uniqueOr(taken, () =>
    db.transaction(async (trx) => {
      if (await getField(trx, input.code)) throw taken();
      await refuseFieldClash(trx, input);
      return upsertField(trx, { code: input.code, name: input.name }, { create: true });
    }),
  );
}

/**
 * The work, or `taken` when the unique key refused it: two admins creating one code at once both found it free
 * (PostgreSQL's read committed), and the second merged over the first ("Đã thêm" to both, one of them lost).
 */
async function uniqueOr<T>(taken: () => Error, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) throw taken();
    throw err;
  }
}

export async function renameField(db: Knex, field: Field): Promise<Field> {
  return db.transaction(async (trx) => {
    await refuseFieldClash(trx, field);
    return upsertField(trx, field);
  });
}

/**
 * Two fields the desks and the report could not tell apart are refused: a code that differs from another only in
 * case ("dat_dai" beside "DAT_DAI"), or another's name. The picker listed "Đất đai" twice, and the report two rows of it.
 */
async function refuseFieldClash(db: Knex, field: Field): Promise<void> {
  const same = (name: string) => name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
  const clash: Record<string, string> = {};
  for (const other of await listFields(db)) {
    if (other.code === field.code) continue;
    if (other.code.toLowerCase() === field.code.toLowerCase()) clash.code ??= `Mã ${field.code} trùng với lĩnh vực ${other.code} (chỉ khác chữ hoa, chữ thường).`;
    if (same(other.name) === same(field.name)) clash.name ??= `Tên “${field.name.trim()}” đã là tên của lĩnh vực ${other.code}.`;
  }
  if (Object.keys(clash).length) throw new ValidationError(clash, 'Lĩnh vực trùng với một lĩnh vực đã có.');
}

export async function createAgency(db: Knex, input: AgencyInput): Promise<Agency> {
  return db.transaction(async (trx) => {
    if (await getAgency(trx, input.code)) throw new ConflictError(`Mã cơ quan ${input.code} đã tồn tại.`, 'duplicate');
    // A dossier's code begins with its agency's, and a code is looked up as typed and in capitals: two agencies
    // differing in case alone made dossier codes ambiguous.
    const twin = await trx('agencies').whereRaw('lower(code) = ?', [input.code.toLowerCase()]).first('code');
    if (twin) throw new ValidationError({ code: `Mã ${input.code} trùng với cơ quan ${twin.code} (chỉ khác chữ hoa, chữ thường).` });
    await refuseAgencyNameClash(trx, input.code, input.name);
    let parent: Agency | null = null;
    if (input.parentCode) {
      parent = await getAgency(trx, input.parentCode);
      if (!parent) throw new ValidationError({ parentCode: `Không có cơ quan cấp trên mã ${input.parentCode}.` });
    }
    const agency: Agency = {
      code: input.code,
      name: input.name,
      parentCode: parent?.code ?? null,
      level: input.level ?? parent?.level ?? 'province',
      kind: input.kind ?? null,
    };
    try {
      return await insertAgency(trx, agency);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`Mã cơ quan ${input.code} đã tồn tại.`, 'duplicate');
      throw err;
    }
  });
}

export const agencyNameSchema = agencySchema.pick({ name: true });

/**
 * Renames an agency (a merger renamed "Sở Tài nguyên và Môi trường" "Sở Nông nghiệp và Môi trường"): pickers, lists,
 * reports and new forms read the new name; letters and slips already issued keep the one they were printed with.
 */
export async function updateAgencyName(db: Knex, code: string, name: string): Promise<Agency> {
  return db.transaction(async (trx) => {
    const agency = await getAgency(trx, code);
    if (!agency) throw new NotFoundError(`Không có cơ quan mã ${code}.`);
    await refuseAgencyNameClash(trx, code, name);
    await renameAgency(trx, code, name);
    return { ...agency, name };
  });
}

/** Two agencies the pickers could not tell apart are refused: another's name, whatever its case and spacing. */
async function refuseAgencyNameClash(db: Knex, code: string, name: string): Promise<void> {
  const same = (text: string) => text.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
  const other = (await listAgencies(db)).find((a) => a.code !== code && same(a.name) === same(name));
  if (other) throw new ValidationError({ name: `Tên “${name.trim()}” đã là tên của cơ quan ${other.code}.` });
}

async function toProcedureRow(db: Knex, input: ProcedureInput): Promise<Omit<Procedure, 'fieldName'>> {
  const fields: Record<string, string> = {};
  const field = await getField(db, input.fieldCode);
  if (!field) fields.fieldCode = `Không có lĩnh vực mã ${input.fieldCode}.`;
  const agency = input.agencyCode ? await getAgency(db, input.agencyCode) : null;
  if (input.agencyCode && !agency) fields.agencyCode = `Không có cơ quan mã ${input.agencyCode}.`;
  if (Object.keys(fields).length) throw new ValidationError(fields);
  return {
    code: input.code,
    name: input.name,
    fieldCode: input.fieldCode,
    level: input.level ?? agency?.level ?? 'province',
    agencyCode: agency?.code ?? null,
    statutoryDays: input.statutoryDays ?? null,
    duration: input.duration,
    onSupplement: input.onSupplement,
    fee: input.fee ?? null,
    active: input.active,
  };
}

export async function createProcedure(db: Knex, input: ProcedureInput): Promise<Procedure> {
  const taken = () => new ConflictError(`Mã thủ tục ${input.code} đã tồn tại.`, 'duplicate');
  return uniqueOr(taken, () =>
    db.transaction(async (trx) => {
      const row = await toProcedureRow(trx, input);
      if (await getProcedure(trx, input.code)) throw taken();
      await upsertProcedure(trx, row, { create: true });
      return (await getProcedure(trx, input.code))!;
    }),
  );
}

/** Updates a procedure; its code never changes (dossiers refer to it). */
export async function updateProcedure(db: Knex, code: string, input: ProcedureInput): Promise<Procedure> {
  return db.transaction(async (trx) => {
    const row = await toProcedureRow(trx, { ...input, code });
    await upsertProcedure(trx, row);
    return (await getProcedure(trx, code))!;
  });
}

/** Fields in Vietnamese alphabetical order (Đ after D), whatever the database collation. */
export async function sortedFields(db: Knex): Promise<Field[]> {
  return (await listFields(db)).sort((a, b) => compareVietnamese(a.name, b.name));
}

// ---------------------------------------------------------------------------------------------

const procedureQuerySchema = z.object({
  q: optionalText(200).catch(undefined),
  fieldCode: optionalText(64).catch(undefined),
});

// The catalog is short: a page holds all of it unless a smaller pageSize is asked for.
// A page that is not one is refused (422), as the dossiers' and letters' lists do: page=-1 answered page 1, and a
// page past the end page 1 again, so a client paging on never met an empty page.
const catalogPage = z.object(strictPageFields(1000, 1000));

export function catalogApi(ctx: AppContext, _services: Services): Router {
  const router = Router();
  const admin = requireRole('admin');

  router.get('/fields', requireUser, async (req, res) => {
    res.json(pageOf(await sortedFields(ctx.db), parseInput(catalogPage, req.query)));
  });

  router.post('/fields', admin, async (req, res) => {
    const field = await createField(ctx.db, parseInput(fieldSchema, req.body ?? {}));
    await audit(ctx, req, 'field_saved', field.code, { name: field.name, created: true, via: 'api' });
    res.status(201).json(field);
  });

  router.get('/procedures', requireUser, async (req, res) => {
    const filter = procedureQuerySchema.parse(req.query);
    res.json(pageOf(await listProcedures(ctx.db, filter), parseInput(catalogPage, req.query)));
  });

  router.post('/procedures', admin, async (req, res) => {
    const procedure = await createProcedure(ctx.db, parseInput(procedureSchemaFor(ctx.config.workingPeriods), req.body ?? {}));
    await audit(ctx, req, 'procedure_saved', procedure.code, { name: procedure.name, duration: procedure.duration, created: true, via: 'api' });
    res.status(201).json(procedure);
  });

  router.get('/agencies', requireUser, async (req, res) => {
    res.json(pageOf(await listAgencies(ctx.db), parseInput(catalogPage, req.query)));
  });

  router.post('/agencies', admin, async (req, res) => {
    const agency = await createAgency(ctx.db, parseInput(agencySchema, req.body ?? {}));
    await audit(ctx, req, 'agency_saved', agency.code, { name: agency.name, via: 'api' });
    res.status(201).json(agency);
  });

  router.put('/agencies/:code', admin, async (req, res) => {
    const code = String(req.params.code);
    const before = await getAgency(ctx.db, code);
    const agency = await updateAgencyName(ctx.db, code, parseInput(agencyNameSchema, req.body ?? {}).name);
    await audit(ctx, req, 'agency_saved', code, { name: agency.name, nameBefore: before?.name, via: 'api' });
    res.json(agency);
  });

  return router;
}
