import { Router } from 'express';
import { CHANNELS } from '../dossiers/schema';
import { ACTIONS } from '../dossiers/lifecycle';
import { STATUSES } from '../dossiers/status';
import { REGISTER_MAX_DAYS, REGISTER_MAX_LINES } from '../dossiers/register';
import { LETTER_STATUSES } from '../letters/draft';
import { AGENCY_BASES, REPORT_COLUMNS } from '../reports/definitions';

// The OpenAPI 3.1 description of the JSON API of SPEC §7, written by hand. tests/integration/api-matrix.test.ts
// checks that it names every route the app serves under /api/v1 and that real answers match its schemas.

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
/** A value or null: null joins the type and, where the values are listed, the list (a null outcome failed its own enum). */
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type as string, 'null'], ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}) });
const str = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
const int = (description?: string, extra: Schema = {}): Schema => ({ type: 'integer', ...(description ? { description } : {}), ...extra });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const instant = (description: string): Schema => str(description, { format: 'date-time', examples: ['2026-02-25T10:00:00+07:00'] });
const date = (description: string): Schema => str(description, { format: 'date', examples: ['2026-02-16'] });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  required,
  ...extra,
});
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
const page = (item: string): Schema =>
  obj({
    items: arrayOf(ref(item)),
    total: int('how many items match, over all pages'),
    page: int('the page answered, from 1'),
    pageSize: int('items per page'),
  });

const json = (schema: Schema) => ({ content: { 'application/json': { schema } } });
const answer = (description: string, schema: Schema) => ({ description, ...json(schema) });
const body = (schema: Schema, description?: string) => ({ required: true, ...(description ? { description } : {}), ...json(schema) });
const errors = (...names: ('BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'Conflict' | 'ValidationFailed' | 'TooManyRequests')[]) =>
  Object.fromEntries(
    names.map((n) => [
      { BadRequest: '400', Unauthorized: '401', Forbidden: '403', NotFound: '404', Conflict: '409', ValidationFailed: '422', TooManyRequests: '429' }[n],
      { $ref: `#/components/responses/${n}` },
    ]),
  );
const param = (name: string, where: 'path' | 'query' | 'header', schema: Schema, description: string, required = where === 'path') => ({
  name,
  in: where,
  required,
  description,
  schema,
});
const pageParams = [{ $ref: '#/components/parameters/page' }, { $ref: '#/components/parameters/pageSize' }];
const dossierCode = param('code', 'path', str(undefined, { pattern: '^[0-9A-Za-z._-]{3,100}$' }), 'The dossier code, e.g. 000.00.05.H13-260213-0001');

const counts = obj({
  received: obj({ online: int(), inPersonOrPostal: int(), carriedOver: int(), total: int() }),
  resolved: obj({ early: int(), onTime: int(), late: int(), total: int() }),
  pending: obj({ withinDeadline: int(), overdue: int(), total: int() }),
});

const schemas: Record<string, Schema> = {
  Error: obj(
    {
      error: obj({
        code: str('machine-readable, e.g. validation_failed, not_found, forbidden, stale_version, invalid_state'),
        message: str('for people, in Vietnamese'),
        fields: { type: 'object', description: 'one Vietnamese message per invalid input field (path joined with dots)', additionalProperties: { type: 'string' } },
      }),
    },
    ['error'],
    { examples: [{ error: { code: 'validation_failed', message: 'Dữ liệu chưa hợp lệ, vui lòng kiểm tra các ô được đánh dấu.', fields: { 'applicant.name': 'Không được để trống.' } } }] },
  ),
  Field: obj({ code: str(undefined, { examples: ['DAT_DAI'] }), name: str(undefined, { examples: ['Đất đai'] }) }),
  FieldInput: obj({ code: str('letters without diacritics, digits, . _ -', { pattern: '^[A-Za-z0-9._-]+$', maxLength: 64 }), name: str(undefined, { maxLength: 300 }) }),
  Agency: obj({ code: str(undefined, { examples: ['000.00.13.H13'] }), name: str(), parentCode: nullable(str()), level: str(undefined, { enum: ['province', 'district', 'commune'] }), kind: nullable(str()) }),
  AgencyInput: obj(
    {
      code: str(undefined, { pattern: '^[A-Za-z0-9._-]+$', maxLength: 64 }),
      name: str(undefined, { maxLength: 300 }),
      parentCode: str(),
      level: str(undefined, { enum: ['province', 'district', 'commune'] }),
      kind: str(),
    },
    ['code', 'name'],
  ),
  Duration: obj({ value: int(undefined, { minimum: 1 }), unit: str(undefined, { enum: ['working_days', 'working_hours'] }) }),
  Procedure: obj({
    code: str(undefined, { examples: ['1.000948'] }),
    name: str(),
    fieldCode: str(),
    fieldName: str(),
    level: str(undefined, { enum: ['province', 'district', 'commune'] }),
    agencyCode: nullable(str()),
    statutoryDays: nullable(int('the time the law gives, in working days')),
    duration: ref('Duration'),
    onSupplement: str('restart: a whole new duration after a supplement; pause: the clock only stops', { enum: ['restart', 'pause'] }),
    fee: nullable(str()),
    active: bool(),
  }),
  ProcedureInput: obj(
    {
      code: str(undefined, { pattern: '^[A-Za-z0-9._-]+$', maxLength: 64 }),
      name: str(),
      fieldCode: str(),
      agencyCode: str(),
      level: str(undefined, { enum: ['province', 'district', 'commune'] }),
      statutoryDays: nullable(int(undefined, { minimum: 0, maximum: 365 })),
      duration: ref('Duration'),
      onSupplement: str(undefined, { enum: ['restart', 'pause'], default: 'restart' }),
      fee: str(),
      active: bool(),
    },
    ['code', 'name', 'fieldCode', 'duration'],
  ),
  Applicant: obj({ name: str(), idNumber: nullable(str()), phone: nullable(str()), email: nullable(str()), address: nullable(str()) }),
  ApplicantInput: obj(
    {
      name: str(undefined, { maxLength: 200 }),
      idNumber: str('CCCD, passport or enterprise code: 6–20 letters or digits'),
      phone: str(undefined, { examples: ['0912 345 678'] }),
      email: str(undefined, { format: 'email' }),
      address: str(undefined, { maxLength: 300 }),
    },
    ['name'],
  ),
  Refusal: obj({
    id: int(),
    number: str('<number>/<year>/PTC: the desk\'s own numbers, from 1 each year, a zero before one under 10 (Nghị định 30/2020)', { examples: ['12/2026/PTC', '05/2026/PTC'] }),
    agencyCode: str('the desk that refused'),
    procedureCode: str(),
    procedureName: str(),
    applicant: obj({ name: str(), phone: nullable(str()), email: nullable(str()), address: nullable(str()) }),
    reason: str('why the desk cannot receive it, as printed on the slip'),
    refusedAt: instant('when it was refused'),
    refusedBy: str('the clerk who refused it'),
  }),
  Register: obj({
    agencyCode: str('the desk whose book it is'),
    agencyName: str(),
    from: date('first day'),
    to: date('last day'),
    form: str('the form in force on the first day', { examples: ['Mẫu số 07 – Thông tư số 03/2025/TT-VPCP'] }),
    days: arrayOf(
      obj({
        date: date('a day the desk received dossiers'),
        lines: arrayOf(ref('RegisterLine')),
      }),
    ),
  }),
  RegisterLine: obj({
    number: nullable(int('Số thứ tự: the number the receipt gave that day; null for a code kept from another system')),
    code: str(),
    procedureName: str(),
    sets: int('Số lượng hồ sơ (bộ)'),
    applicant: obj({ name: str(), address: nullable(str()), phone: nullable(str()) }),
    handlingAgency: obj({ code: str(), name: str() }, ['code', 'name'], { description: 'Cơ quan chủ trì giải quyết' }),
    receivedAt: instant('received'),
    appointmentAt: instant('the appointment promised'),
    sentAt: nullable(instant('handed to the resolving agency (at receipt), when that is not the desk\'s own')),
    resultAt: nullable(instant('the result back from the resolving agency')),
    returnedAt: nullable(instant('the result handed to the citizen')),
    notes: arrayOf(str('refused, withdrawn, transfers, late, or the status while open')),
  }),
  RefusalInput: obj(
    {
      procedureCode: str('what the citizen asked for'),
      agencyCode: str('admins only: the refusing desk (default: the procedure\'s agency)'),
      applicant: obj({ name: str(undefined, { maxLength: 200 }), phone: str(), email: str(undefined, { format: 'email' }), address: str(undefined, { maxLength: 300 }) }, ['name']),
      reason: str(undefined, { minLength: 5, maxLength: 2000 }),
    },
    ['procedureCode', 'applicant', 'reason'],
  ),
  Dossier: obj({
    code: str('<agency code>-<yymmdd>-<4-digit daily sequence>', { examples: ['000.00.05.H13-260213-0001'] }),
    procedureCode: str(),
    procedureName: str(),
    fieldCode: str(),
    agencyCode: str('the agency handling it now'),
    receivedAgencyCode: str('the agency whose desk received it'),
    channel: str(undefined, { enum: [...CHANNELS] }),
    applicant: ref('Applicant'),
    sets: int(),
    status: str(undefined, { enum: [...STATUSES] }),
    receivedAt: instant('exact receipt instant'),
    dueAt: instant('statutory deadline; moved only by supplements and pauses'),
    appointmentAt: instant('promised to the citizen: dueAt, or the new date of an issued apology letter'),
    finishedAt: nullable(instant('resolve or withdraw instant')),
    outcome: nullable(str(undefined, { enum: ['approved', 'refused'] })),
    late: bool('open with the clock running past dueAt, or finished after dueAt'),
    version: int('send it back with every action: a stale one gets 409'),
  }),
  DossierEvent: obj(
    { type: str('the action (receive, request_supplement, …, apology_issued, recompute_due)'), at: instant('when it happened'), actor: str('who did it') },
    ['type', 'at', 'actor'],
    { additionalProperties: true, description: 'plus what the action carries: reason, outcome, items, dueBefore/dueAt, fromAgencyCode/toAgencyCode, …' },
  ),
  TraceStep: obj(
    {
      type: str(undefined, { enum: ['received', 'start', 'duration', 'skip', 'due', 'note'] }),
      at: str('an instant, for steps at one'),
      date: date('a local date, for skipped days'),
      minutes: int('working minutes, where it applies'),
      text: str('the step explained in Vietnamese'),
    },
    ['type', 'text'],
  ),
  DossierDetail: {
    allOf: [
      ref('Dossier'),
      obj({ events: arrayOf(ref('DossierEvent')), dueTrace: { ...arrayOf(ref('TraceStep')), description: 'how the deadline engine reached dueAt' } }),
    ],
  },
  IntakeInput: obj(
    {
      procedureCode: str(),
      agencyCode: str('the receiving agency: a clerk only their own; default the user’s, else the procedure’s'),
      channel: str(undefined, { enum: [...CHANNELS] }),
      applicant: ref('ApplicantInput'),
      sets: int(undefined, { minimum: 1, maximum: 99, default: 1 }),
      documents: str('the papers handed in, one per line'),
      receivedAt: instant('default now; earlier only for an admin, never in the future'),
    },
    ['procedureCode', 'channel', 'applicant'],
  ),
  ActionInput: obj(
    {
      action: str(undefined, { enum: [...ACTIONS] }),
      version: int('the dossier version the change is based on'),
      at: instant('default now; earlier only for an admin, never in the future nor before the previous event'),
      reason: str('required for pause, withdraw, request_supplement and a refusal'),
      outcome: str('required for resolve', { enum: ['approved', 'refused'] }),
      toAgencyCode: str('required for transfer'),
      items: arrayOf(str()),
    },
    ['action', 'version'],
  ),
  CalendarDay: obj({
    date: date('local date'),
    working: bool(),
    kind: str(undefined, { enum: ['workday', 'weekend', 'holiday', 'day_off', 'working_day'] }),
    name: nullable(str()),
    provisional: bool('the year has no official schedule: derived from the Labour Code 2019 art. 112'),
  }),
  CalendarDayInput: obj(
    {
      kind: str('holiday, day_off (nghỉ bù) or working_day (làm bù, Saturday or Sunday only)', { enum: ['holiday', 'day_off', 'working_day'] }),
      name: str(undefined, { maxLength: 300 }),
      source: str('the decision that announced it'),
    },
    ['kind', 'name'],
  ),
  CalendarEntry: obj({
    date: date('local date'),
    kind: str(undefined, { enum: ['holiday', 'day_off', 'working_day'] }),
    name: str(),
    source: str(),
    working: bool(),
    provisional: bool(),
  }),
  Due: obj({
    start: instant('the start asked for'),
    startAt: instant('the start normalised into working time'),
    dueAt: instant('the deadline'),
    minutes: int('working minutes of the duration'),
    duration: ref('Duration'),
    trace: arrayOf(ref('TraceStep')),
  }),
  Letter: obj(
    {
      id: int(),
      dossierCode: str(),
      status: str(undefined, { enum: [...LETTER_STATUSES] }),
      number: nullable(str('…/XL, given when issued')),
      reason: nullable(str()),
      newAppointmentAt: nullable(instant('the new appointment')),
      issuedAt: nullable(instant('when it was issued')),
      seq: int('1 for the first letter of a dossier'),
      agencyCode: str(),
      draftedFor: str(undefined, { enum: ['due_soon', 'late', 'override'] }),
      addressee: obj({ name: nullable(str()), address: nullable(str()) }),
      originalAppointmentAt: nullable(instant('the appointment before this letter')),
      proposedAppointmentAt: nullable(instant('what the engine proposed')),
      overrideReason: nullable(str()),
      signer: obj({ title: nullable(str()), name: nullable(str()) }),
      smsText: nullable(str()),
      draftedAt: nullable(instant('when the draft was made')),
    },
    ['id', 'dossierCode', 'status', 'number', 'reason', 'newAppointmentAt', 'issuedAt'],
  ),
  IssueInput: obj(
    {
      reason: str('why the dossier is late; goes into the letter'),
      newAppointmentAt: instant('after now and after the current appointment'),
      overrideReason: str('with REAPPOINTMENTS=override, a head may give a dossier a further new appointment only with a reason; under the default REAPPOINTMENTS=once (the law) a further appointment is refused, 409 reappointed_once'),
      signerTitle: str('the signer\'s title as printed (KT. Giám đốc …); default the template\'s'),
      signerName: str('who signs for the handling agency; required unless the draft names one or the user heads that agency'),
      version: int('the letter version the change is based on'),
    },
    ['newAppointmentAt'],
  ),
  ReportCounts: counts,
  SettlementReport: obj(
    {
      from: date('first local date of the period'),
      to: date('last local date of the period'),
      period: str('the period named in Vietnamese'),
      asOf: instant('the end of the period, or now for a period still running'),
      running: bool('the period has not ended yet'),
      agencyCode: nullable(str()),
      agencyBasis: str(undefined, { enum: [...AGENCY_BASES] }),
      rows: arrayOf({ allOf: [obj({ fieldCode: str(), fieldName: str() }), ref('ReportCounts')] }),
      total: ref('ReportCounts'),
      byAgency: arrayOf({ allOf: [obj({ agencyCode: str(), agencyName: str() }), ref('ReportCounts')] }),
    },
    ['from', 'to', 'rows', 'total'],
  ),
  PublicDossier: obj({
    code: str(),
    procedureCode: str(),
    procedureName: str(),
    agencyName: str('the agency handling it'),
    deskName: str('the one-stop desk that received it: where a supplement is brought and the result collected'),
    status: str(undefined, { enum: [...STATUSES] }),
    statusName: str('the status in Vietnamese'),
    statusText: str('what it means for the citizen, in plain Vietnamese'),
    receivedAt: instant('receipt'),
    appointmentAt: instant('the current appointment'),
    apologyIssued: bool('an apology letter with a new appointment was issued'),
  }),
};

const errorResponse = (description: string) => answer(description, ref('Error'));

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Một cửa – Theo dõi hồ sơ: JSON API',
    version: '1.0.0',
    summary: 'Dossiers of a Vietnamese one-stop desk: catalog, intake, lifecycle, working calendar, apology letters, reports, public look-up.',
    description:
      'JSON in and out. Authenticate with `Authorization: Bearer <token>` (tokens per user, created by an admin or with `npm run cli -- token:add`). ' +
      'Times are ISO-8601 with offset +07:00. Errors are always `{"error": {"code", "message", "fields"}}` with a Vietnamese message: ' +
      '400 unreadable input, 401 no or bad token, 403 role or agency not allowed, 404 unknown (or another agency’s dossier), 409 stale version or wrong state, 422 invalid fields. ' +
      'Lists answer `{items, total, page, pageSize}` and read `page` (from 1) and `pageSize`. A clerk and a head see their own agency’s dossiers only; an admin sees all.',
  },
  servers: [{ url: '/api/v1' }],
  security: [{ bearerAuth: [] }],
  tags: [
    { name: 'catalog', description: 'Fields, procedures, agencies' },
    { name: 'dossiers', description: 'Intake, list, detail, lifecycle actions' },
    { name: 'calendar', description: 'Working days and the deadline engine' },
    { name: 'letters', description: 'Apology letters (Mẫu 04)' },
    { name: 'reports', description: 'Biểu II.06a settlement report' },
    { name: 'public', description: 'No authentication' },
  ],
  paths: {
    '/fields': {
      get: { tags: ['catalog'], summary: 'List fields (lĩnh vực), in Vietnamese alphabetical order', parameters: pageParams, responses: { 200: answer('The fields', page('Field')), ...errors('Unauthorized') } },
      post: {
        tags: ['catalog'],
        summary: 'Add a field (admin)',
        requestBody: body(ref('FieldInput')),
        responses: { 201: answer('The new field', ref('Field')), ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'Conflict', 'ValidationFailed') },
      },
    },
    '/procedures': {
      get: {
        tags: ['catalog'],
        summary: 'List procedures (thủ tục)',
        parameters: [param('q', 'query', str(), 'text in the code or the name'), param('fieldCode', 'query', str(), 'only this field'), ...pageParams],
        responses: { 200: answer('The procedures', page('Procedure')), ...errors('Unauthorized') },
      },
      post: {
        tags: ['catalog'],
        summary: 'Add a procedure (admin)',
        requestBody: body(ref('ProcedureInput')),
        responses: { 201: answer('The new procedure', ref('Procedure')), ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'Conflict', 'ValidationFailed') },
      },
    },
    '/agencies': {
      get: { tags: ['catalog'], summary: 'List agencies', parameters: pageParams, responses: { 200: answer('The agencies', page('Agency')), ...errors('Unauthorized') } },
      post: {
        tags: ['catalog'],
        summary: 'Add an agency (admin)',
        requestBody: body(ref('AgencyInput')),
        responses: { 201: answer('The new agency', ref('Agency')), ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'Conflict', 'ValidationFailed') },
      },
    },
    '/agencies/{code}': {
      put: {
        tags: ['catalog'],
        summary: 'Rename an agency (admin); its code never changes (dossier codes begin with it)',
        parameters: [param('code', 'path', str(), 'the agency’s code')],
        requestBody: body(obj({ name: str(undefined, { maxLength: 300 }) }, ['name'])),
        responses: { 200: answer('The agency', ref('Agency')), ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'ValidationFailed') },
      },
    },
    '/dossiers': {
      get: {
        tags: ['dossiers'],
        summary: 'List dossiers the user may see',
        parameters: [
          param('status', 'query', str(undefined, { enum: [...STATUSES, 'open'] }), 'one status, or open = processing, awaiting_supplement, paused'),
          param('fieldCode', 'query', str(), 'only this field'),
          param('agencyCode', 'query', str(), 'only dossiers handled by this agency'),
          param('procedureCode', 'query', str(), 'only this procedure'),
          param('late', 'query', str(undefined, { enum: ['true', '1', 'false', '0'] }), 'true or 1: only late dossiers (SPEC §5); false or 0: no filter on lateness (not "only those not late")'),
          param('dueSoon', 'query', str(undefined, { enum: ['true', '1', 'false', '0'] }), 'true or 1: only open dossiers due within one working day; false or 0: no filter'),
          param('dueFrom', 'query', date('local date'), 'deadline on or after this date'),
          param('dueTo', 'query', date('local date'), 'deadline on or before this date'),
          param('letter', 'query', str(undefined, { enum: ['issued', 'not_issued', 'draft'] }), 'by apology letter'),
          param('q', 'query', str(), 'text in the code, the applicant’s name, id number or phone; a receipt’s lookup address (…/tra-cuu/<code>) searches for its code'),
          param('sort', 'query', str(undefined, { enum: ['due', '-due', 'received', '-received'] }), 'default: by deadline for open work, newest first otherwise'),
          param('report', 'query', str(undefined, { enum: [...REPORT_COLUMNS] }), 'the dossiers behind one number of the settlement report (with from, to)'),
          param('from', 'query', date('local date'), 'with report: first day of the period'),
          param('to', 'query', date('local date'), 'with report: last day of the period'),
          param('agencyBasis', 'query', str(undefined, { enum: [...AGENCY_BASES] }), 'with report: count by handling or receiving agency'),
          { $ref: '#/components/parameters/page' },
          { ...param('pageSize', 'query', int(undefined, { minimum: 1, maximum: 500, default: 50 }), 'items per page') },
        ],
        responses: { 200: answer('One page of dossiers', page('Dossier')), ...errors('Unauthorized', 'ValidationFailed') },
      },
      post: {
        tags: ['dossiers'],
        summary: 'Receive a dossier (clerk, admin): code and deadline are given by the system',
        parameters: [
          param(
            'Idempotency-Key',
            'header',
            str(undefined, { minLength: 1, maxLength: 100, pattern: '^[!-~]+$', examples: ['0b6c2f0e-5d1a-4c57-9a43-1f0f5e2f9d11'] }),
            'names this intake, so that sending it again (a retry after a timeout) answers the dossier it made, 200 with Idempotent-Replayed: true, and writes nothing; a key is its user’s; sent again with another procedure, channel or applicant: 422 idempotency_key_reused',
          ),
        ],
        requestBody: body(ref('IntakeInput')),
        responses: {
          201: {
            description: 'The new dossier; Location names it',
            headers: { Location: { schema: str(undefined, { examples: ['/api/v1/dossiers/000.00.05.H13-260213-0001'] }) } },
            ...json(ref('Dossier')),
          },
          200: {
            description: 'With an Idempotency-Key already used for this intake: the dossier it made, as it is now; nothing written',
            headers: {
              Location: { schema: str(undefined, { examples: ['/api/v1/dossiers/000.00.05.H13-260213-0001'] }) },
              'Idempotent-Replayed': { schema: str(undefined, { enum: ['true'] }) },
            },
            ...json(ref('Dossier')),
          },
          ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'ValidationFailed'),
        },
      },
    },
    '/dossiers/{code}': {
      get: {
        tags: ['dossiers'],
        summary: 'One dossier with its history and the due-date trace',
        parameters: [dossierCode],
        responses: { 200: answer('The dossier', ref('DossierDetail')), ...errors('Unauthorized', 'NotFound') },
      },
    },
    '/dossiers/{code}/actions': {
      post: {
        tags: ['dossiers'],
        summary: 'A lifecycle action (clerk, admin): request_supplement, receive_supplement, pause, resume, transfer, resolve, return, withdraw',
        parameters: [dossierCode],
        requestBody: body(ref('ActionInput')),
        responses: {
          200: answer('The dossier after the action', ref('DossierDetail')),
          ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'ValidationFailed'),
        },
      },
    },
    '/calendar/days': {
      get: {
        tags: ['calendar'],
        summary: 'Every day of a range (at most 3 years) with its status',
        parameters: [param('from', 'query', date('first day'), 'first day', true), param('to', 'query', date('last day'), 'last day', true)],
        responses: { 200: answer('The days, in order', arrayOf(ref('CalendarDay'))), ...errors('Unauthorized', 'ValidationFailed') },
      },
    },
    '/calendar/days/{date}': {
      put: {
        tags: ['calendar'],
        summary: 'Set a holiday, day off or make-up working day (admin); open dossiers keep their deadlines until recomputed',
        parameters: [param('date', 'path', date('local date'), 'the day')],
        requestBody: body(ref('CalendarDayInput')),
        responses: { 200: answer('The day', ref('CalendarEntry')), ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'ValidationFailed') },
      },
      delete: {
        tags: ['calendar'],
        summary: 'Remove a day of the calendar table (admin)',
        parameters: [param('date', 'path', date('local date'), 'the day')],
        responses: { 204: { description: 'Removed' }, ...errors('Unauthorized', 'Forbidden', 'NotFound', 'ValidationFailed') },
      },
    },
    '/calendar/due': {
      get: {
        tags: ['calendar'],
        summary: 'The deadline engine: start + N working days or hours, explained',
        parameters: [
          param('start', 'query', instant('with offset'), 'the instant of receipt', true),
          param('days', 'query', int(undefined, { minimum: 1, maximum: 365 }), 'working days (give days or hours)'),
          param('hours', 'query', int(undefined, { minimum: 1, maximum: 2000 }), 'working hours (give days or hours)'),
        ],
        responses: { 200: answer('The deadline', ref('Due')), ...errors('Unauthorized', 'ValidationFailed') },
      },
    },
    '/letters': {
      get: {
        tags: ['letters'],
        summary: 'Apology letters of the dossiers the user may see',
        parameters: [param('status', 'query', str(undefined, { enum: [...LETTER_STATUSES] }), 'draft, issued or cancelled'), { $ref: '#/components/parameters/page' }, param('pageSize', 'query', int(undefined, { minimum: 1, maximum: 500, default: 100 }), 'items per page')],
        responses: { 200: answer('One page of letters', page('Letter')), ...errors('Unauthorized', 'ValidationFailed') },
      },
    },
    '/letters/{id}': {
      get: {
        tags: ['letters'],
        summary: 'One apology letter',
        parameters: [param('id', 'path', int(), 'the letter id')],
        responses: { 200: answer('The letter', ref('Letter')), ...errors('Unauthorized', 'NotFound') },
      },
    },
    '/letters/{id}/issue': {
      post: {
        tags: ['letters'],
        summary: 'Issue a letter (head, admin): number, new appointment on the dossier, apology_issued event',
        parameters: [param('id', 'path', int(), 'the letter id')],
        requestBody: body(ref('IssueInput')),
        responses: { 200: answer('The issued letter', ref('Letter')), ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'ValidationFailed') },
      },
    },
    '/refusals': {
      get: {
        tags: ['dossiers'],
        summary: 'Refusals to receive (Mẫu 03) the user may see: their desk\'s, newest first (an admin: every desk\'s)',
        parameters: [{ $ref: '#/components/parameters/page' }, { ...param('pageSize', 'query', int(undefined, { minimum: 1, maximum: 500, default: 50 }), 'items per page') }],
        responses: { 200: answer('One page of refusals', page('Refusal')), ...errors('Unauthorized', 'ValidationFailed') },
      },
      post: {
        tags: ['dossiers'],
        summary: 'Refuse to receive a request (clerk, admin): no dossier is made; the refusal is numbered per desk and year',
        requestBody: body(ref('RefusalInput')),
        responses: {
          201: {
            description: 'The refusal; Location names it',
            headers: { Location: { schema: str(undefined, { examples: ['/api/v1/refusals/12'] }) } },
            ...json(ref('Refusal')),
          },
          ...errors('BadRequest', 'Unauthorized', 'Forbidden', 'ValidationFailed'),
        },
      },
    },
    '/refusals/{id}': {
      get: {
        tags: ['dossiers'],
        summary: 'One refusal to receive',
        parameters: [param('id', 'path', int(), 'the refusal id')],
        responses: { 200: answer('The refusal', ref('Refusal')), ...errors('Unauthorized', 'NotFound') },
      },
    },
    '/register': {
      get: {
        tags: ['dossiers'],
        summary: 'Sổ theo dõi hồ sơ (Mẫu 06/07): the dossiers a desk received on some days, a line each, as the book prints them',
        parameters: [
          param('from', 'query', date('local date'), 'first day (default: `to`, or today)'),
          param('to', 'query', date('local date'), `last day (default: \`from\`, or today); at most ${REGISTER_MAX_DAYS} days and ${REGISTER_MAX_LINES} dossiers`),
          param('agencyCode', 'query', str(), 'required for admins: the desk; a clerk or head reads their own, and naming another desk is refused (403)'),
        ],
        responses: { 200: answer('The register', ref('Register')), ...errors('Unauthorized', 'Forbidden', 'ValidationFailed') },
      },
    },
    '/reports/settlement': {
      get: {
        tags: ['reports'],
        summary: 'Tình hình, kết quả giải quyết TTHC (Biểu II.06a) per field, per agency and in total',
        parameters: [
          param('from', 'query', date('local date'), 'first day of the period', true),
          param('to', 'query', date('local date'), 'last day of the period', true),
          param('agencyCode', 'query', str(), 'one agency (a clerk or head: only their own)'),
          param('agencyBasis', 'query', str(undefined, { enum: [...AGENCY_BASES] }), 'count by handling or by receiving agency; left out, a public service centre counts what it received, any other agency (and the whole city) what it handles'),
        ],
        responses: { 200: answer('The report', ref('SettlementReport')), ...errors('Unauthorized', 'Forbidden', 'ValidationFailed') },
      },
    },
    '/public/dossiers/{code}': {
      get: {
        tags: ['public'],
        summary: 'What the receipt’s holder may know of a dossier — never personal data. No authentication; 30 look-ups a minute per address.',
        security: [],
        parameters: [dossierCode],
        responses: { 200: answer('The public view', ref('PublicDossier')), ...errors('NotFound', 'TooManyRequests') },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['public'],
        summary: 'This document',
        security: [],
        responses: { 200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  },
  components: {
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'A per-user API token (ost_…)' } },
    parameters: {
      page: param('page', 'query', int(undefined, { minimum: 1, default: 1 }), 'page number, from 1'),
      pageSize: param('pageSize', 'query', int(undefined, { minimum: 1, maximum: 1000, default: 1000 }), 'items per page'),
    },
    schemas,
    responses: {
      BadRequest: errorResponse('Unreadable input (e.g. invalid JSON): code bad_json or bad_request'),
      Unauthorized: errorResponse('No token, or an unknown or revoked one: code unauthorized'),
      Forbidden: errorResponse('The role or agency may not do this: code forbidden'),
      NotFound: errorResponse('Unknown — or another agency’s dossier, which is not confirmed to exist: code not_found'),
      Conflict: errorResponse('Stale version (stale_version), action not allowed in the current state (invalid_state), papers asked for a second time under SUPPLEMENT_REQUESTS=once (supplement_already_requested), duplicate (duplicate), …'),
      ValidationFailed: errorResponse('Invalid fields: code validation_failed, one message per field in `fields`'),
      TooManyRequests: {
        description: 'Too many look-ups from this address: code rate_limited; Retry-After says when to try again',
        headers: { 'Retry-After': { schema: int('seconds') } },
        ...json(ref('Error')),
      },
    },
  },
} as const;

/** GET /api/v1/openapi.json: the document, without authentication. */
export function openApiRoutes(): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(openApiDocument);
  });
  return router;
}
