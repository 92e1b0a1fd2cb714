import { Router, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import type { ZodType } from 'zod';
import type { Services } from '../app';
import { audit } from '../audit/log';
import { requireRole } from '../auth/guard';
import { hashPassword } from '../auth/passwords';
import { agencyRequired, createApiToken, createUser, passwordRule, profileShape, setPassword, userCreateSchema, usernameTaken } from '../auth/users';
import {
  calendarDaySchema,
  DAY_KIND_NAMES,
  MAX_YEAR,
  MIN_YEAR,
  officialEntries,
  importSchedule,
  removeCalendarDay,
  saveCalendarDay,
} from '../calendar/api';
import { parseSchedule, SCHEDULE_COLUMNS, type ScheduleProblem } from '../calendar/schedule';
import { provisionalDaysOff, type CalendarEntry } from '../calendar/holidays';
import {
  agencyNameSchema,
  agencySchema,
  createAgency,
  createField,
  renameField,
  updateAgencyName,
  createProcedure,
  fieldSchema,
  LEVEL_NAMES,
  ON_SUPPLEMENT_NAMES,
  procedureSchemaFor,
  sortedFields,
  UNIT_NAMES,
  updateProcedure,
} from '../catalog/api';
import { getAgency, getField, getProcedure, listAgencies, listProcedures, type Procedure } from '../catalog/repository';
import { LEVELS } from '../catalog/names';
import { isUniqueViolation } from '../db/dialect';
import type { AppContext } from '../shared/context';
import { recomputeAuditDetail } from '../dossiers/service';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { compareVietnamese, formatDate, formatNumber, localDate, narrowedTitle } from '../shared/format';
import { parseInput } from '../shared/http';
import { optionalText, requiredText, z } from '../shared/validation';

type Errors = Record<string, string>;
type Flash = { kind: 'ok' | 'error' | 'warn' | 'info'; text: string };

const CALENDAR_NOTE =
  'Hồ sơ đã tiếp nhận vẫn giữ hạn xử lý đã tính cho đến khi quản trị viên chủ động tính lại các hồ sơ đang mở.';

// ---------------------------------------------------------------------------------------------
// Form schemas

const userProfileSchema = z.object(profileShape).superRefine(agencyRequired);
const passwordSchema = z.object({ password: passwordRule });
const tokenSchema = z.object({ tokenName: optionalText(200) });
const activeSchema = z.object({ active: z.enum(['0', '1'], { error: 'Giá trị không hợp lệ.' }) });
const fieldNameSchema = fieldSchema.pick({ name: true });

const procedureFilterSchema = z.object({
  q: optionalText(200).catch(undefined),
  fieldCode: optionalText(64).catch(undefined),
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** Parses a form; a ValidationError becomes the per-field messages the page shows. */
function tryParse<T>(schema: ZodType<T>, input: unknown): { data: T; errors?: undefined } | { data?: undefined; errors: Errors } {
  try {
    return { data: parseInput(schema, input) };
  } catch (err) {
    if (err instanceof ValidationError) return { errors: err.fields };
    throw err;
  }
}

/** The success message of a redirect-after-post, named by `?ok=…` (or a problem by `?err=…`). */
function flashFrom(req: Request, texts: Record<string, string>): Flash | undefined {
  const ok = typeof req.query.ok === 'string' ? req.query.ok : '';
  if (texts[ok]) return { kind: 'ok', text: texts[ok] };
  const err = typeof req.query.err === 'string' ? req.query.err : '';
  if (texts[`err:${err}`]) return { kind: 'error', text: texts[`err:${err}`] };
  return undefined;
}

const enc = encodeURIComponent;

/** How many dossiers with an appointment on a day off the recompute's answer names (the count says how many in all). */
const OFF_CODES_SHOWN = 10;

/** The recompute's answer on appointments now on a day off (?off=&offCodes=), or nothing. */
function offDaysText(query: Request['query']): string {
  const n = Number(query.off) || 0;
  if (n <= 0) return '';
  const codes = String(query.offCodes ?? '')
    .split(' ')
    .filter((c) => /^[\w.-]{1,64}$/.test(c))
    .slice(0, OFF_CODES_SHOWN);
  const more = n > codes.length ? ` và ${formatNumber(n - codes.length)} hồ sơ khác` : '';
  return (
    ` Lưu ý: ${formatNumber(n)} hồ sơ có ngày hẹn trả kết quả (theo văn bản xin lỗi đã phát hành) nay rơi vào ngày nghỉ` +
    `${codes.length ? `: ${codes.join(', ')}${more}` : ''}. Ngày hẹn không tự đổi; lãnh đạo cần hẹn lại bằng văn bản xin lỗi mới.`
  );
}

function userId(req: Request): number {
  const id = String(req.params.id ?? '');
  if (!/^\d{1,9}$/.test(id)) throw new NotFoundError('Không tìm thấy người dùng.');
  return Number(id);
}

function yearOf(value: unknown, fallback: number): number {
  const n = typeof value === 'string' && /^\d{4}$/.test(value) ? Number(value) : fallback;
  return Math.min(MAX_YEAR, Math.max(MIN_YEAR, n));
}

async function userRow(db: Knex, id: number) {
  const row = await db('users as u')
    .leftJoin('agencies as a', 'a.code', 'u.agency_code')
    .where('u.id', id)
    .select('u.id', 'u.username', 'u.full_name', 'u.role', 'u.agency_code', 'u.active', 'u.created_at', 'a.name as agency_name')
    .first();
  if (!row) throw new NotFoundError('Không tìm thấy người dùng.');
  return { ...row, active: Boolean(row.active) };
}

async function agencyMissing(db: Knex, code: string | undefined): Promise<boolean> {
  return Boolean(code) && !(await db('agencies').where({ code }).first('code'));
}

async function count(db: Knex, table: string, where?: (qb: Knex.QueryBuilder) => void): Promise<number> {
  const qb = db(table);
  if (where) where(qb);
  const row = await qb.count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** What the audit log keeps of a saved procedure. */
function procedureDetail(p: { name: string; fieldCode: string; agencyCode?: string | null; duration: { value: number; unit: string }; statutoryDays?: number | null; onSupplement: string; active: boolean }) {
  return { name: p.name, fieldCode: p.fieldCode, agencyCode: p.agencyCode ?? null, duration: p.duration, statutoryDays: p.statutoryDays ?? null, onSupplement: p.onSupplement, active: p.active };
}

function procedureValues(p: Procedure) {
  return {
    code: p.code,
    name: p.name,
    fieldCode: p.fieldCode,
    agencyCode: p.agencyCode ?? '',
    level: p.level,
    statutoryDays: p.statutoryDays ?? '',
    duration: { value: p.duration.value, unit: p.duration.unit },
    onSupplement: p.onSupplement,
    fee: p.fee ?? '',
    active: p.active,
  };
}

// ---------------------------------------------------------------------------------------------

export function adminPages(ctx: AppContext, services: Services): Router {
  const router = Router();
  const { db } = ctx;
  router.use(requireRole('admin'));
  router.use((_req, res, next) => {
    res.locals.LEVEL_NAMES = LEVEL_NAMES;
    res.locals.UNIT_NAMES = UNIT_NAMES;
    res.locals.ON_SUPPLEMENT_NAMES = ON_SUPPLEMENT_NAMES;
    res.locals.DAY_KIND_NAMES = DAY_KIND_NAMES;
    res.locals.errors = {};
    res.locals.values = {};
    next();
  });

  // --- overview ------------------------------------------------------------------------------

  router.get('/', async (_req, res) => {
    const year = Number(localDate(ctx.clock.now()).slice(0, 4));
    const [users, activeUsers, agencies, fields, procedures, activeProcedures, thisYear, nextYear] = await Promise.all([
      count(db, 'users'),
      count(db, 'users', (q) => q.where('active', true)),
      count(db, 'agencies'),
      count(db, 'fields'),
      count(db, 'procedures'),
      count(db, 'procedures', (q) => q.where('active', true)),
      count(db, 'calendar_days', (q) => q.where('date', 'like', `${year}-%`)),
      count(db, 'calendar_days', (q) => q.where('date', 'like', `${year + 1}-%`)),
    ]);
    res.render('admin/index', {
      title: 'Quản trị',
      section: 'index',
      year,
      counts: { users, activeUsers, agencies, fields, procedures, activeProcedures, thisYear, nextYear },
    });
  });

  // --- users ---------------------------------------------------------------------------------

  router.get('/nguoi-dung', async (req, res) => {
    const users = (
      await db('users as u')
        .leftJoin('agencies as a', 'a.code', 'u.agency_code')
        .select('u.id', 'u.username', 'u.full_name', 'u.role', 'u.agency_code', 'u.active', 'a.name as agency_name')
        .orderBy('u.username')
    ).map((u) => ({ ...u, active: Boolean(u.active) }));
    res.render('admin/users', {
      title: 'Người dùng',
      section: 'users',
      users,
      flash: flashFrom(req, { created: 'Đã tạo người dùng.' }),
    });
  });

  const renderNewUser = async (res: Response, status: number, values: Record<string, unknown>, errors: Errors) => {
    res.status(status).render('admin/user-new', {
      title: 'Thêm người dùng',
      section: 'users',
      agencies: await listAgencies(db),
      values,
      errors,
      flash: status === 422 ? { kind: 'error', text: 'Chưa tạo được người dùng: vui lòng sửa các ô được đánh dấu.' } : undefined,
    });
  };

  router.get('/nguoi-dung/moi', async (_req, res) => {
    await renderNewUser(res, 200, { role: 'clerk' }, {});
  });

  router.post('/nguoi-dung', async (req, res) => {
    const body = req.body ?? {};
    const values = { username: body.username, fullName: body.fullName, role: body.role, agencyCode: body.agencyCode };
    const parsed = tryParse(userCreateSchema, body);
    const errors: Errors = { ...parsed.errors };
    if (parsed.data) {
      if (await usernameTaken(db, parsed.data.username)) errors.username = 'Tên đăng nhập này đã có người dùng.';
      if (await agencyMissing(db, parsed.data.agencyCode)) errors.agencyCode = 'Cơ quan không tồn tại.';
    }
    if (!parsed.data || Object.keys(errors).length) return renderNewUser(res, 422, values, errors);
    const u = parsed.data;
    try {
      const created = await createUser(db, { username: u.username, fullName: u.fullName, role: u.role, agencyCode: u.agencyCode ?? null, password: u.password }, ctx.clock.now());
      await audit(ctx, req, 'user_created', created.username, { userId: created.id, fullName: u.fullName, role: u.role, agencyCode: u.agencyCode ?? null });
    } catch (err) {
      // Two admins creating the same name at once: the unique index decides.
      if (isUniqueViolation(err)) return renderNewUser(res, 422, values, { username: 'Tên đăng nhập này đã có người dùng.' });
      throw err;
    }
    res.redirect(303, '/quan-tri/nguoi-dung?ok=created');
  });

  const renderUser = async (
    req: Request,
    res: Response,
    id: number,
    extra: { status?: number; values?: Record<string, unknown>; errors?: Errors; newToken?: string; flash?: Flash } = {},
  ) => {
    const user = await userRow(db, id);
    const tokens = await db('api_tokens').where({ user_id: id }).orderBy('id', 'desc');
    res.status(extra.status ?? 200).render('admin/user', {
      title: `Người dùng ${user.username}`,
      section: 'users',
      account: user,
      isSelf: req.user!.id === id,
      tokens,
      agencies: await listAgencies(db),
      values: { fullName: user.full_name, role: user.role, agencyCode: user.agency_code ?? '', ...extra.values },
      errors: extra.errors ?? {},
      newToken: extra.newToken,
      flash:
        extra.flash ??
        flashFrom(req, {
          updated: 'Đã lưu thông tin người dùng.',
          activated: 'Đã mở khóa tài khoản.',
          deactivated: 'Đã khóa tài khoản; các phiên đăng nhập của người này đã bị đóng.',
          password: 'Đã đặt lại mật khẩu; các phiên đăng nhập khác của người này đã bị đóng.',
          revoked: 'Đã thu hồi token.',
        }),
    });
  };

  router.get('/nguoi-dung/:id', async (req, res) => {
    await renderUser(req, res, userId(req));
  });

  router.post('/nguoi-dung/:id', async (req, res) => {
    const id = userId(req);
    const body = req.body ?? {};
    const values = { fullName: body.fullName, role: body.role, agencyCode: body.agencyCode };
    const parsed = tryParse(userProfileSchema, body);
    const errors: Errors = { ...parsed.errors };
    if (parsed.data) {
      if (await agencyMissing(db, parsed.data.agencyCode)) errors.agencyCode = 'Cơ quan không tồn tại.';
      if (id === req.user!.id && parsed.data.role !== 'admin') errors.role = 'Bạn không thể tự bỏ quyền quản trị của chính mình.';
    }
    if (!parsed.data || Object.keys(errors).length) {
      return renderUser(req, res, id, {
        status: 422,
        values,
        errors,
        flash: { kind: 'error', text: 'Chưa lưu được: vui lòng sửa các ô được đánh dấu.' },
      });
    }
    const before = await userRow(db, id);
    await db('users')
      .where({ id })
      .update({ full_name: parsed.data.fullName, role: parsed.data.role, agency_code: parsed.data.agencyCode ?? null });
    await audit(ctx, req, 'user_updated', before.username, {
      userId: id,
      fullName: parsed.data.fullName,
      role: parsed.data.role,
      agencyCode: parsed.data.agencyCode ?? null,
      roleBefore: before.role,
      agencyCodeBefore: before.agency_code,
    });
    res.redirect(303, `/quan-tri/nguoi-dung/${id}?ok=updated`);
  });

  router.post('/nguoi-dung/:id/trang-thai', async (req, res) => {
    const id = userId(req);
    const { active } = parseInput(activeSchema, req.body ?? {});
    const account = await userRow(db, id);
    if (id === req.user!.id && active === '0') {
      throw new ConflictError('Bạn không thể tự khóa tài khoản của chính mình.');
    }
    await db.transaction(async (trx) => {
      await trx('users').where({ id }).update({ active: active === '1' });
      // A locked account is signed out everywhere at once.
      if (active === '0') await trx('sessions').where({ user_id: id }).delete();
      await audit(ctx, req, active === '1' ? 'user_unlocked' : 'user_locked', account.username, { userId: id }, { db: trx });
    });
    res.redirect(303, `/quan-tri/nguoi-dung/${id}?ok=${active === '1' ? 'activated' : 'deactivated'}`);
  });

  router.post('/nguoi-dung/:id/mat-khau', async (req, res) => {
    const id = userId(req);
    const account = await userRow(db, id);
    const parsed = tryParse(passwordSchema, req.body ?? {});
    if (!parsed.data) {
      return renderUser(req, res, id, {
        status: 422,
        errors: parsed.errors,
        flash: { kind: 'error', text: 'Chưa đặt lại được mật khẩu.' },
      });
    }
    const hash = await hashPassword(parsed.data.password);
    await db.transaction(async (trx) => {
      await setPassword(trx, id, hash, { keepSession: req.sessionId });
      await audit(ctx, req, 'password_reset', account.username, { userId: id }, { db: trx });
    });
    res.redirect(303, `/quan-tri/nguoi-dung/${id}?ok=password`);
  });

  router.post('/nguoi-dung/:id/token', async (req, res) => {
    const id = userId(req);
    const account = await userRow(db, id);
    const parsed = tryParse(tokenSchema, req.body ?? {});
    if (!parsed.data) {
      return renderUser(req, res, id, {
        status: 422,
        values: { tokenName: req.body?.tokenName },
        errors: parsed.errors,
        flash: { kind: 'error', text: 'Chưa tạo được token.' },
      });
    }
    const token = await createApiToken(db, id, parsed.data.tokenName ?? null, ctx.clock.now());
    await audit(ctx, req, 'token_created', account.username, { userId: id, name: parsed.data.tokenName ?? null });
    // The token is shown on this one answer and never again: no redirect, no cache.
    res.set('Cache-Control', 'no-store');
    await renderUser(req, res, id, {
      status: 201,
      newToken: token,
      flash: { kind: 'ok', text: 'Đã tạo token. Hãy sao chép ngay: token chỉ hiển thị một lần.' },
    });
  });

  router.post('/nguoi-dung/:id/token/:tokenId/thu-hoi', async (req, res) => {
    const id = userId(req);
    const tokenId = String(req.params.tokenId);
    if (!/^\d{1,9}$/.test(tokenId)) throw new NotFoundError('Không tìm thấy token.');
    const token = await db('api_tokens').where({ id: Number(tokenId), user_id: id }).first();
    if (!token) throw new NotFoundError('Không tìm thấy token.');
    if (!token.revoked_at) {
      await db('api_tokens').where({ id: token.id }).whereNull('revoked_at').update({ revoked_at: ctx.clock.now().toISOString() });
      const owner = await db('users').where({ id }).first('username');
      await audit(ctx, req, 'token_revoked', owner?.username ?? String(id), { userId: id, tokenId: token.id, name: token.name });
    }
    res.redirect(303, `/quan-tri/nguoi-dung/${id}?ok=revoked`);
  });

  // --- agencies ------------------------------------------------------------------------------

  const renderAgencies = async (req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, errors: Errors = {}) => {
    const userCounts: Promise<{ agency_code: string; n: number | string }[]> = db('users')
      .whereNotNull('agency_code')
      .groupBy('agency_code')
      .select('agency_code')
      .count({ n: '*' })
      .then((rows) => rows as { agency_code: string; n: number | string }[]);
    const [agencies, counts] = await Promise.all([listAgencies(db), userCounts]);
    const users = new Map(counts.map((c) => [c.agency_code, Number(c.n)]));
    const names = new Map(agencies.map((a) => [a.code, a.name]));
    res.status(status).render('admin/agencies', {
      title: 'Cơ quan',
      section: 'agencies',
      agencies: agencies.map((a) => ({ ...a, parentName: a.parentCode ? (names.get(a.parentCode) ?? a.parentCode) : null, users: users.get(a.code) ?? 0 })),
      levels: LEVELS,
      values,
      errors,
      flash:
        status === 422
          ? { kind: 'error', text: 'Chưa thêm được cơ quan: vui lòng sửa các ô được đánh dấu.' }
          : flashFrom(req, { created: 'Đã thêm cơ quan.', updated: 'Đã đổi tên cơ quan: danh sách, báo cáo và các phiếu in từ nay dùng tên mới; lời văn của văn bản xin lỗi đã phát hành giữ nguyên.' }),
    });
  };

  router.get('/co-quan', async (req, res) => {
    await renderAgencies(req, res);
  });

  router.post('/co-quan', async (req, res) => {
    const body = req.body ?? {};
    const values = { code: body.code, name: body.name, parentCode: body.parentCode, level: body.level };
    const parsed = tryParse(agencySchema, { ...values, level: body.level || undefined });
    if (!parsed.data) return renderAgencies(req, res, 422, values, parsed.errors);
    try {
      const agency = await createAgency(db, parsed.data);
      await audit(ctx, req, 'agency_saved', agency.code, { name: agency.name, created: true });
    } catch (err) {
      if (err instanceof ConflictError) return renderAgencies(req, res, 422, values, { code: err.message });
      if (err instanceof ValidationError) return renderAgencies(req, res, 422, values, err.fields);
      throw err;
    }
    res.redirect(303, '/quan-tri/co-quan?ok=created');
  });

  const renderAgency = (res: Response, agency: { code: string; name: string }, status = 200, values: Record<string, unknown> = agency, errors: Errors = {}) =>
    res.status(status).render('admin/agency', {
      title: `Cơ quan ${agency.code}`,
      section: 'agencies',
      agency,
      values,
      errors,
      flash: status === 422 ? { kind: 'error', text: 'Chưa lưu được: vui lòng sửa các ô được đánh dấu.' } : undefined,
    });

  const agencyOr404 = async (code: string) => {
    const agency = await getAgency(db, code);
    if (!agency) throw new NotFoundError(`Không có cơ quan mã ${code}.`);
    return agency;
  };

  router.get('/co-quan/:code', async (req, res) => {
    renderAgency(res, await agencyOr404(String(req.params.code)));
  });

  router.post('/co-quan/:code', async (req, res) => {
    const agency = await agencyOr404(String(req.params.code));
    const typed = { code: agency.code, name: req.body?.name };
    const parsed = tryParse(agencyNameSchema, req.body ?? {});
    if (!parsed.data) return renderAgency(res, agency, 422, typed, parsed.errors);
    try {
      await updateAgencyName(db, agency.code, parsed.data.name);
    } catch (err) {
      if (err instanceof ValidationError) return renderAgency(res, agency, 422, typed, err.fields);
      throw err;
    }
    await audit(ctx, req, 'agency_saved', agency.code, { name: parsed.data.name, nameBefore: agency.name });
    res.redirect(303, '/quan-tri/co-quan?ok=updated');
  });

  // --- fields --------------------------------------------------------------------------------

  const renderFields = async (req: Request, res: Response, status = 200, values: Record<string, unknown> = {}, errors: Errors = {}) => {
    const fields: { code: string; name: string; procedures: number | string }[] = await db('fields as f')
      .leftJoin('procedures as p', 'p.field_code', 'f.code')
      .groupBy('f.code', 'f.name')
      .select('f.code', 'f.name')
      .count({ procedures: 'p.code' });
    res.status(status).render('admin/fields', {
      title: 'Lĩnh vực',
      section: 'fields',
      fields: fields.map((f) => ({ ...f, procedures: Number(f.procedures) })).sort((a, b) => compareVietnamese(a.name, b.name)),
      values,
      errors,
      flash:
        status === 422
          ? { kind: 'error', text: 'Chưa thêm được lĩnh vực: vui lòng sửa các ô được đánh dấu.' }
          : flashFrom(req, { created: 'Đã thêm lĩnh vực.', updated: 'Đã đổi tên lĩnh vực.' }),
    });
  };

  router.get('/linh-vuc', async (req, res) => {
    await renderFields(req, res);
  });

  router.post('/linh-vuc', async (req, res) => {
    const body = req.body ?? {};
    const values = { code: body.code, name: body.name };
    const parsed = tryParse(fieldSchema, body);
    if (!parsed.data) return renderFields(req, res, 422, values, parsed.errors);
    try {
      await createField(db, parsed.data);
      await audit(ctx, req, 'field_saved', parsed.data.code, { name: parsed.data.name, created: true });
    } catch (err) {
      if (err instanceof ConflictError) return renderFields(req, res, 422, values, { code: err.message });
      if (err instanceof ValidationError) return renderFields(req, res, 422, values, err.fields);
      throw err;
    }
    res.redirect(303, '/quan-tri/linh-vuc?ok=created');
  });

  const renderField = (res: Response, field: { code: string; name: string }, status = 200, values: Record<string, unknown> = field, errors: Errors = {}) =>
    res.status(status).render('admin/field', {
      title: `Lĩnh vực ${field.code}`,
      section: 'fields',
      field,
      values,
      errors,
      flash: status === 422 ? { kind: 'error', text: 'Chưa lưu được: vui lòng sửa các ô được đánh dấu.' } : undefined,
    });

  const fieldOr404 = async (code: string) => {
    const field = await getField(db, code);
    if (!field) throw new NotFoundError(`Không có lĩnh vực mã ${code}.`);
    return field;
  };

  router.get('/linh-vuc/:code', async (req, res) => {
    renderField(res, await fieldOr404(String(req.params.code)));
  });

  router.post('/linh-vuc/:code', async (req, res) => {
    const field = await fieldOr404(String(req.params.code));
    const parsed = tryParse(fieldNameSchema, req.body ?? {});
    if (!parsed.data) return renderField(res, field, 422, { code: field.code, name: req.body?.name }, parsed.errors);
    try {
      await renameField(db, { code: field.code, name: parsed.data.name });
    } catch (err) {
      if (err instanceof ValidationError) return renderField(res, field, 422, { code: field.code, name: req.body?.name }, err.fields);
      throw err;
    }
    await audit(ctx, req, 'field_saved', field.code, { name: parsed.data.name, nameBefore: field.name });
    res.redirect(303, '/quan-tri/linh-vuc?ok=updated');
  });

  // --- procedures ----------------------------------------------------------------------------

  router.get('/thu-tuc', async (req, res) => {
    const filter = procedureFilterSchema.parse(req.query);
    const [procedures, fields, agencies] = await Promise.all([listProcedures(db, filter), sortedFields(db), listAgencies(db)]);
    const fieldName = fields.find((f) => f.code === filter.fieldCode)?.name;
    res.render('admin/procedures', {
      title: narrowedTitle('Thủ tục hành chính', [fieldName && `lĩnh vực ${fieldName}`, filter.q && `tìm “${filter.q}”`]),
      section: 'procedures',
      wide: true,
      procedures,
      fields,
      agencyNames: Object.fromEntries(agencies.map((a) => [a.code, a.name])),
      filter: { q: filter.q ?? '', fieldCode: filter.fieldCode ?? '' },
      flash: flashFrom(req, { created: 'Đã thêm thủ tục.', updated: 'Đã lưu thủ tục.' }),
    });
  });

  const renderProcedureForm = async (
    res: Response,
    existing: Procedure | null,
    values: Record<string, unknown>,
    errors: Errors = {},
    status = 200,
  ) => {
    const [fields, agencies] = await Promise.all([sortedFields(db), listAgencies(db)]);
    res.status(status).render('admin/procedure-form', {
      title: existing ? `Sửa thủ tục ${existing.code}` : 'Thêm thủ tục',
      section: 'procedures',
      existing,
      fields,
      agencies,
      levels: LEVELS,
      values,
      errors,
      flash: status === 422 ? { kind: 'error', text: 'Chưa lưu được thủ tục: vui lòng sửa các ô được đánh dấu.' } : undefined,
    });
  };

  /** The form posts duration[value] / duration[unit] (nested by the body parser) and a checkbox for active. */
  const procedureBody = (req: Request) => {
    const body = req.body ?? {};
    return {
      code: body.code,
      name: body.name,
      fieldCode: body.fieldCode,
      agencyCode: body.agencyCode,
      level: body.level,
      statutoryDays: body.statutoryDays,
      duration: { value: body.duration?.value, unit: body.duration?.unit },
      onSupplement: body.onSupplement,
      fee: body.fee,
      active: body.active === '1',
    };
  };

  /** Runs a catalog write; its ValidationError or ConflictError is shown on the form. */
  const saveProcedure = async (work: () => Promise<unknown>): Promise<Errors | null> => {
    try {
      await work();
      return null;
    } catch (err) {
      if (err instanceof ValidationError) return err.fields;
      if (err instanceof ConflictError) return { code: err.message };
      throw err;
    }
  };

  router.get('/thu-tuc/moi', async (_req, res) => {
    await renderProcedureForm(res, null, { duration: { unit: 'working_days' }, onSupplement: 'restart', active: true });
  });

  router.post('/thu-tuc', async (req, res) => {
    const values = procedureBody(req);
    const parsed = tryParse(procedureSchemaFor(ctx.config.workingPeriods), values);
    const errors = parsed.data ? await saveProcedure(() => createProcedure(db, parsed.data)) : parsed.errors;
    if (errors) return renderProcedureForm(res, null, values, errors, 422);
    await audit(ctx, req, 'procedure_saved', parsed.data!.code, { ...procedureDetail(parsed.data!), created: true });
    res.redirect(303, `/quan-tri/thu-tuc?ok=created&q=${enc(parsed.data!.code)}`);
  });

  const procedureOr404 = async (code: string) => {
    const p = await getProcedure(db, code);
    if (!p) throw new NotFoundError(`Không có thủ tục mã ${code}.`);
    return p;
  };

  router.get('/thu-tuc/:code', async (req, res) => {
    const p = await procedureOr404(String(req.params.code));
    await renderProcedureForm(res, p, procedureValues(p));
  });

  router.post('/thu-tuc/:code', async (req, res) => {
    const p = await procedureOr404(String(req.params.code));
    const values = { ...procedureBody(req), code: p.code };
    const parsed = tryParse(procedureSchemaFor(ctx.config.workingPeriods), values);
    const errors = parsed.data ? await saveProcedure(() => updateProcedure(db, p.code, parsed.data)) : parsed.errors;
    if (errors) return renderProcedureForm(res, p, values, errors, 422);
    await audit(ctx, req, 'procedure_saved', p.code, { ...procedureDetail(parsed.data!), durationBefore: p.duration });
    res.redirect(303, `/quan-tri/thu-tuc?ok=updated&q=${enc(p.code)}`);
  });

  // --- working calendar ----------------------------------------------------------------------

  const renderCalendar = async (
    req: Request,
    res: Response,
    year: number,
    form: { values: Record<string, unknown>; errors: Errors; status: number } | null = null,
    schedule: { csv: string; mode: string; problems: ScheduleProblem[] } | null = null,
  ) => {
    const official = await officialEntries(ctx, year);
    // A year with no row of its own is computed from the Labour Code by the engine: "tạm tính".
    const provisional = official.length === 0;
    const rows: (CalendarEntry & { provisional: boolean })[] = provisional
      ? provisionalDaysOff(year).map((e) => ({ ...e, provisional: true }))
      : official.map((e) => ({ ...e, provisional: false }));
    const calendar = await services.calendars.get(ctx.clock.now().getTime());
    const days = calendar.days(`${year}-01-01`, `${year}-12-31`);
    const months = Array.from({ length: 12 }, (_, i) => {
      const prefix = `${year}-${String(i + 1).padStart(2, '0')}-`;
      return {
        month: i + 1,
        rows: rows.filter((r) => r.date.startsWith(prefix)),
        workingDays: days.filter((d) => d.date.startsWith(prefix) && d.working).length,
      };
    });

    const editDate = typeof req.query.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(req.query.date) ? req.query.date : null;
    const editing = editDate ? (rows.find((r) => r.date === editDate) ?? null) : null;
    const values = form?.values ?? (editing ? { ...editing } : { date: editDate ?? '', kind: 'holiday' });
    const d = typeof req.query.d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(req.query.d) ? formatDate(req.query.d) : '';
    const yearsOf = (v: unknown) => (typeof v === 'string' && /^\d{4}(,\d{4}){0,40}$/.test(v) ? v.split(',').join(', ') : '');
    const base = yearsOf(req.query.base);
    const baseText = base
      ? ` Năm ${base} chưa có lịch chính thức: các ngày tạm tính theo Bộ luật Lao động đã được chép vào lịch trước (nguồn "lịch tạm tính"); hãy xóa ngày nào thông báo chính thức không có.`
      : '';
    const imported = `Đã nhập ${formatNumber(Number(req.query.n) || 0)} ngày của năm ${yearsOf(req.query.years)}${
      Number(req.query.removed) ? `, thay ${formatNumber(Number(req.query.removed))} ngày đã có của các năm đó` : ''
    }.${baseText}`;

    res.status(form?.status ?? 200).render('admin/calendar', {
      title: `Lịch làm việc năm ${year}`,
      section: 'calendar',
      year,
      minYear: MIN_YEAR,
      maxYear: MAX_YEAR,
      provisional,
      months,
      workingDays: days.filter((x) => x.working).length,
      editing: Boolean(editing && !editing.provisional),
      values,
      errors: form?.errors ?? {},
      schedule: schedule ?? { csv: '', mode: 'merge', problems: [] },
      scheduleColumns: SCHEDULE_COLUMNS,
      note: CALENDAR_NOTE,
      flash: schedule?.problems.length
        ? { kind: 'error', text: 'Chưa nhập được lịch: tệp có lỗi (xem dưới đây), chưa ghi ngày nào.' }
        : form?.status === 422
          ? { kind: 'error', text: 'Chưa lưu được ngày: vui lòng sửa các ô được đánh dấu.' }
          : flashFrom(req, {
              saved: `Đã lưu ngày ${d}.${baseText} ${CALENDAR_NOTE}`,
              imported: `${imported} ${CALENDAR_NOTE}`,
              deleted: `Đã xóa ngày ${d} khỏi lịch. ${CALENDAR_NOTE}`,
              deletedLast: `Đã xóa ngày ${d}, ngày cuối cùng của lịch năm ${year}: năm ${year} không còn lịch chính thức, hạn giải quyết trong năm được tính theo lịch tạm tính (các ngày nghỉ lễ, Tết theo Bộ luật Lao động). ${CALENDAR_NOTE}`,
              copied: `Đã chép lịch tạm tính năm ${year} thành lịch chính thức. ${CALENDAR_NOTE}`,
              'err:notProvisional': `Năm ${year} đã có lịch chính thức, không chép lịch tạm tính.`,
              recomputed: `Đã tính lại hạn ${formatNumber(Number(req.query.checked) || 0)} hồ sơ đang mở; ${formatNumber(Number(req.query.moved) || 0)} hồ sơ đổi hạn (đã ghi vào lịch sử từng hồ sơ).${offDaysText(req.query)}`,
            }),
    });
  };

  router.get('/lich', async (req, res) => {
    const year = yearOf(req.query.year, Number(localDate(ctx.clock.now()).slice(0, 4)));
    await renderCalendar(req, res, year);
  });

  router.post('/lich', async (req, res) => {
    const body = req.body ?? {};
    const values = { date: body.date, kind: body.kind, name: body.name, source: body.source };
    const parsed = tryParse(calendarDaySchema, values);
    if (!parsed.data) {
      const fallback = yearOf(body.year, Number(localDate(ctx.clock.now()).slice(0, 4)));
      const year = yearOf(String(body.date ?? '').slice(0, 4), fallback);
      return renderCalendar(req, res, year, { values, errors: parsed.errors, status: 422 });
    }
    const { written } = await saveCalendarDay(ctx, services, parsed.data, req.user!.username);
    const base = written.provisionalBase;
    await audit(ctx, req, 'calendar_day_saved', parsed.data.date, {
      kind: parsed.data.kind,
      name: parsed.data.name,
      source: parsed.data.source,
      ...(base.length ? { provisionalBase: base } : {}),
    });
    const date = parsed.data.date;
    res.redirect(303, `/quan-tri/lich?year=${date.slice(0, 4)}&ok=saved&d=${date}${base.length ? `&base=${base.join(',')}` : ''}`);
  });

  /**
   * An announced schedule as a CSV file (the columns of the shipped vn-days-off.csv), pasted or read into the form by
   * the page's script: all its days or none. Added to what the calendar holds, or replacing its years' whole schedule.
   */
  router.post('/lich/nhap', async (req, res) => {
    const body = req.body ?? {};
    const csv = typeof body.csv === 'string' ? body.csv : '';
    const mode = body.mode === 'replace' ? 'replace' : 'merge';
    const parsed = parseSchedule(csv);
    if (!parsed.ok) {
      // Logged as the dossiers' imports are, refused or not: who tried to change the calendar, and why it was refused.
      await audit(ctx, req, 'calendar_imported', null, { ok: false, mode, problems: parsed.problems.length });
      const year = yearOf(body.year, Number(localDate(ctx.clock.now()).slice(0, 4)));
      return renderCalendar(req, res, year, { values: { kind: 'holiday' }, errors: {}, status: 422 }, { csv, mode, problems: parsed.problems });
    }
    const written = await importSchedule(ctx, services, parsed.entries, {
      by: req.user!.username,
      replaceYears: mode === 'replace',
      record: (trx, w) => audit(ctx, req, 'calendar_imported', null, { ok: true, mode, ...w }, { db: trx }),
    });
    const query = [
      `year=${written.years[0]}`,
      'ok=imported',
      `n=${written.written}`,
      `years=${written.years.join(',')}`,
      ...(written.removed ? [`removed=${written.removed}`] : []),
      ...(written.provisionalBase.length ? [`base=${written.provisionalBase.join(',')}`] : []),
    ];
    res.redirect(303, `/quan-tri/lich?${query.join('&')}`);
  });

  router.post('/lich/:date/xoa', async (req, res) => {
    const date = String(req.params.date);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new NotFoundError('Ngày không hợp lệ.');
    if (!(await removeCalendarDay(ctx, services, date))) throw new NotFoundError(`Lịch không có dòng nào cho ngày ${formatDate(date)}.`);
    await audit(ctx, req, 'calendar_day_deleted', date);
    // The year's last row gone, the year is counted on the provisional calendar again: said, not left to be found.
    const year = date.slice(0, 4);
    const left = await db('calendar_days').where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`).first('date');
    res.redirect(303, `/quan-tri/lich?year=${year}&ok=${left ? 'deleted' : 'deletedLast'}&d=${date}`);
  });

  /** Recomputes the deadlines of open dossiers on the current calendar; each moved one gets an event. */
  router.post('/tinh-lai-han', async (req, res) => {
    const result = await services.dossiers.recomputeOpen(req.user!);
    const offCodes = result.appointmentsOnDaysOff.map((a) => a.code);
    await audit(ctx, req, 'recompute_due', null, recomputeAuditDetail(result));
    const year = yearOf(req.body?.year, Number(localDate(ctx.clock.now()).slice(0, 4)));
    const off = offCodes.length ? `&off=${offCodes.length}&offCodes=${encodeURIComponent(offCodes.slice(0, OFF_CODES_SHOWN).join(' '))}` : '';
    res.redirect(303, `/quan-tri/lich?year=${year}&ok=recomputed&checked=${result.checked}&moved=${result.moved.length}${off}`);
  });

  /** Turns a provisional year into official rows in one go, so adding one day does not drop the others. */
  router.post('/lich/chep-tam-tinh', async (req, res) => {
    const year = yearOf(req.body?.year, NaN);
    if (Number.isNaN(year)) throw new AppError(400, 'bad_request', 'Thiếu năm.');
    const now = ctx.clock.now().toISOString();
    const copied = await db.transaction(async (trx) => {
      if ((await trx('calendar_days').where('date', 'like', `${year}-%`).first('date')) !== undefined) return false;
      const rows = provisionalDaysOff(year).map((e) => ({ ...e, updated_at: now, updated_by: req.user!.username }));
      if (!rows.length) return true;
      // Two admins pressing it at once both saw the year empty (PostgreSQL): the one whose rows went in copied it.
      return (await trx('calendar_days').insert(rows).onConflict('date').ignore().returning('date')).length > 0;
    });
    services.calendars.invalidate();
    if (copied) await audit(ctx, req, 'calendar_year_copied', String(year));
    res.redirect(303, `/quan-tri/lich?year=${year}&${copied ? 'ok=copied' : 'err=notProvisional'}`);
  });

  return router;
}
