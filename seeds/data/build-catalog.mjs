#!/usr/bin/env node
// Builds the seed catalog CSVs in seeds/data/ from the research files in
// /work/shared/data/ (or the folder given as first argument).
//
//   node seeds/data/build-catalog.mjs [sourceDir]   build, then check
//   node seeds/data/build-catalog.mjs --check       only check the committed CSVs
//
// Plain Node (>= 20), no dependencies. The generated CSVs are the deliverable
// and are committed; the app never reads the source folder at run time.
// Output is deterministic: same input -> byte-identical output.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = dirname(fileURLToPath(import.meta.url));
const CHECK_ONLY = process.argv.includes('--check');
const SRC = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? '/work/shared/data';

// ---------------------------------------------------------------- CSV helpers

/** RFC 4180 parser (quoted fields, "" escapes, CRLF or LF, newlines in quotes). */
function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else field += c;
    } else if (c === '"') inQuotes = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r') { /* ignored; \n ends the record */ }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  return body.map((r) => Object.fromEntries(header.map((h, j) => [h, r[j] ?? ''])));
}

function csvField(v) {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes header + rows, LF line endings, UTF-8 without BOM. */
function writeCsv(file, columns, rows) {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c])).join(','));
  writeFileSync(join(OUT, file), lines.join('\n') + '\n', 'utf8');
  return rows.length;
}

const read = (f) => parseCsv(readFileSync(join(SRC, f), 'utf8'));

/** First ~max characters of a text, cut at a word boundary. */
function shorten(text, max = 200) {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const sp = cut.lastIndexOf(' ');
  return (sp > max * 0.6 ? cut.slice(0, sp) : cut).replace(/[\s,;:(–-]+$/, '') + '…';
}

function build() {
  // ------------------------------------------------------------ 1. days off

  // byte copy (not copyFileSync: the source is read-only and its mode would follow)
  writeFileSync(join(OUT, 'vn-days-off.csv'), readFileSync(join(SRC, 'vn-days-off.csv')));

  // ------------------------------------------------------------ 2. agencies
  //
  // Generated identifier codes in the national pattern xxx.yy.zz.H13
  // (QĐ 20/2020/QĐ-TTg: the last group is the level-1 body, zz a level-2 unit,
  // yy a level-3 unit, xxx a level-4 unit). H13 = Cần Thơ is inferred, not seen.
  //
  //   000.00.00.H13   Ủy ban nhân dân thành phố (level 1)
  //   000.00.NN.H13   city agencies directly under the People's Committee,
  //                   NN = 01..15 in the order of the source file (Văn phòng 01,
  //                   the 12 Sở 02..13, Thanh tra 14, Ban Quản lý KCX-CN 15)
  //   000.01.01.H13   Trung tâm Phục vụ hành chính công (unit of the Office 01)
  //   000.NN.BB.H13   the 103 communes/wards. 103 does not fit one two-digit
  //                   group, so they are grouped in blocks BB = the old province
  //                   code of the area they lie in (92 former Cần Thơ,
  //                   93 former Hậu Giang, 94 former Sóc Trăng, told apart by
  //                   their official ĐVHC commune code ranges), NN = 01.. in
  //                   ascending ĐVHC code inside the block. The block is only a
  //                   numbering device: parent_code is the city People's Committee.

  const CODE_NOTE = 'generated (H13 pattern, not official)';
  const SUFFIX = 'H13';
  const pad2 = (n) => String(n).padStart(2, '0');

  function agencyKind(name) {
    if (/^Ủy ban nhân dân thành phố/.test(name)) return 'people_committee';
    if (/^Văn phòng/.test(name)) return 'office';
    if (/^Trung tâm Phục vụ hành chính công/.test(name)) return 'service_centre';
    if (/^Sở /.test(name)) return 'department';
    if (/^Thanh tra/.test(name)) return 'inspectorate';
    // The industrial-zone management board is not a Sở but a body of the same
    // level under the People's Committee; closest kind in the agreed list.
    if (/^Ban Quản lý/.test(name)) return 'department';
    if (/^Ủy ban nhân dân Phường /.test(name)) return 'ward';
    if (/^Ủy ban nhân dân Xã /.test(name)) return 'commune';
    throw new Error(`unknown agency kind: ${name}`);
  }

  function communeBlock(dvhc) {
    if (dvhc < 31321) return 92; // former Cần Thơ city
    if (dvhc < 31507) return 93; // former Hậu Giang province
    return 94; // former Sóc Trăng province
  }

  const srcAgencies = read('agencies-can-tho.csv');
  const agencies = [];
  const codeByName = new Map();
  {
    const root = srcAgencies.find((a) => !a.parent);
    const provincial = srcAgencies.filter((a) => a.parent && a.level === 'province');
    const communes = srcAgencies
      .filter((a) => a.level === 'commune')
      .map((a) => {
        const m = /ĐVHC code (\d{5})/.exec(a.source);
        if (!m) throw new Error(`no ĐVHC code for ${a.name}`);
        return { ...a, dvhc: Number(m[1]) };
      })
      .sort((x, y) => x.dvhc - y.dvhc || x.name.localeCompare(y.name, 'vi'));

    codeByName.set(root.name, `000.00.00.${SUFFIX}`);
    // level-2 agencies (children of the root), in source order
    let nn = 0;
    for (const a of provincial.filter((p) => p.parent === root.name)) {
      codeByName.set(a.name, `000.00.${pad2(++nn)}.${SUFFIX}`);
    }
    // level-3 units of a level-2 agency (only the service centre)
    const childCount = new Map();
    for (const a of provincial.filter((p) => p.parent !== root.name)) {
      const parentCode = codeByName.get(a.parent);
      if (!parentCode) throw new Error(`unknown parent ${a.parent}`);
      const zz = parentCode.split('.')[2];
      const k = (childCount.get(zz) ?? 0) + 1;
      childCount.set(zz, k);
      codeByName.set(a.name, `000.${pad2(k)}.${zz}.${SUFFIX}`);
    }
    const perBlock = new Map();
    for (const c of communes) {
      const b = communeBlock(c.dvhc);
      const k = (perBlock.get(b) ?? 0) + 1;
      if (k > 99) throw new Error(`block ${b} overflows`);
      perBlock.set(b, k);
      codeByName.set(c.name, `000.${pad2(k)}.${b}.${SUFFIX}`);
    }

    // output order: parents before children (root, Office, its centre, the other
    // city agencies, then communes/wards by ĐVHC code)
    const ordered = [root];
    for (const a of provincial.filter((p) => p.parent === root.name)) {
      ordered.push(a, ...provincial.filter((p) => p.parent === a.name));
    }
    ordered.push(...communes);
    for (const a of ordered) {
      agencies.push({
        code: codeByName.get(a.name),
        name: a.name,
        parent_code: a.parent ? codeByName.get(a.parent) : '',
        level: a.level,
        kind: agencyKind(a.name),
        code_note: CODE_NOTE,
      });
    }
  }
  const agencyCode = (prefix) => {
    const hit = agencies.filter((a) => a.name.startsWith(prefix));
    if (hit.length !== 1) throw new Error(`agency lookup "${prefix}": ${hit.length} hits`);
    return hit[0].code;
  };
  const AG = {
    NOI_VU: agencyCode('Sở Nội vụ'),
    TU_PHAP: agencyCode('Sở Tư pháp'),
    TAI_CHINH: agencyCode('Sở Tài chính'),
    NN_MT: agencyCode('Sở Nông nghiệp và Môi trường'),
    XAY_DUNG: agencyCode('Sở Xây dựng'),
    Y_TE: agencyCode('Sở Y tế'),
  };

  // ------------------------------------------------------------ 3. fields

  const FIELD_CODES = {
    'Đất đai': 'DAT_DAI',
    'Tài chính đất đai': 'TAI_CHINH_DAT_DAI',
    'Nhà ở và công sở': 'NHA_O_CONG_SO',
    'Đăng ký biện pháp bảo đảm': 'DANG_KY_BPBD',
    'Hộ tịch': 'HO_TICH',
    'Chứng thực': 'CHUNG_THUC',
    'Nuôi con nuôi': 'NUOI_CON_NUOI',
    'Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)': 'HO_KINH_DOANH',
    'Thành lập và hoạt động của doanh nghiệp': 'DKKD',
    'Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã': 'HOP_TAC_XA',
    'Hoạt động xây dựng': 'XAY_DUNG',
    'Đăng ký, quản lý cư trú': 'CU_TRU',
    'Tài nguyên nước': 'TAI_NGUYEN_NUOC',
    'Môi trường': 'MOI_TRUONG',
    'Giảm nghèo': 'GIAM_NGHEO',
    'Hòa giải ở cơ sở': 'HOA_GIAI_CO_SO',
    'Bồi thường nhà nước': 'BOI_THUONG_NHA_NUOC',
    'Đường bộ': 'DUONG_BO',
    'Lý lịch tư pháp': 'LY_LICH_TU_PHAP',
    'Thủy lợi': 'THUY_LOI',
    'Giáo dục và Đào tạo thuộc hệ thống giáo dục quốc dân': 'GIAO_DUC_DAO_TAO',
    'Bảo trợ xã hội': 'BAO_TRO_XA_HOI',
    'Bồi thường, hỗ trợ, tái định cư': 'BOI_THUONG_TDC',
  };

  // Procedures tagged "[topic: Bồi thường, hỗ trợ, tái định cư]" keep their
  // official lĩnh vực (Tài chính đất đai / Nhà ở và công sở). Set to true to file
  // them under BOI_THUONG_TDC instead (the official lĩnh vực is then kept in source).
  const FILE_TOPIC_UNDER_BTTDC = true;

  const srcProcedures = read('procedures-national.csv');
  const fields = [];
  for (const name of [...new Set(srcProcedures.map((p) => p.field)), 'Bồi thường, hỗ trợ, tái định cư']) {
    if (fields.some((f) => f.name === name)) continue;
    const code = FIELD_CODES[name];
    if (!code) throw new Error(`no code for field "${name}"`);
    fields.push({ code, name });
  }

  // ------------------------------------------------------------ 4. procedures

  /**
   * A name as the national database publishes it, tidied for the receipt's "Nội dung yêu cầu giải quyết: <name> (mã
   * thủ tục …)": spaces collapsed, no full stop, colon or semicolon at the end, no copy of the code in brackets, the
   * level in brackets in lower case as most names write it ("(cấp tỉnh)").
   */
  function tidyName(name, code) {
    return name
      .replace(new RegExp(`\\s*\\(\\s*${code.replace(/\./g, '\\.')}\\s*\\)\\s*$`), '')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/[\s.:;,]+$/, '')
      .replace(/\(cấp (Tỉnh|Huyện|Xã)\)/g, (level) => level.toLowerCase());
  }

  // Level for the multi-level rows: the level at which the Cần Thơ desk mostly
  // handles the dossier (reason goes to source).
  const LEVEL_CHOICE = {
    '1.012766': ['province', 'chủ yếu do Văn phòng Đăng ký đất đai (cấp tỉnh) giải quyết cho dự án hạ tầng'],
    '1.012994': ['province', 'khấu trừ vào tiền thuê đất/tiền sử dụng đất của dự án, chủ yếu hồ sơ tổ chức ở cấp tỉnh'],
    '1.012995': ['commune', 'hộ gia đình, cá nhân được bố trí tái định cư; từ 01/7/2025 cấp xã giao đất cho hộ gia đình, cá nhân'],
    '1.012996': ['commune', 'hộ gia đình, cá nhân đã được ghi nợ; nộp tại bộ phận một cửa cấp xã'],
    '1.011441': ['province', 'đăng ký tại Văn phòng Đăng ký đất đai thuộc Sở Nông nghiệp và Môi trường (và các chi nhánh)'],
    '2.000908': ['commune', 'ở thành phố chủ yếu cấp bản sao từ sổ gốc hộ tịch, chứng thực tại UBND cấp xã'],
    '1.000314': ['province', 'đường tỉnh do Sở Xây dựng quản lý; đường xã do UBND cấp xã'],
  };

  // Province-level agency by field, with the 2025-reorganisation reasoning.
  const PROVINCE_AGENCY = {
    DAT_DAI: [AG.NN_MT, 'Sở Nông nghiệp và Môi trường (Sở TN&MT hợp nhất vào Sở NN&MT từ 3/2025; Văn phòng Đăng ký đất đai thuộc Sở)'],
    DANG_KY_BPBD: [AG.NN_MT, 'Sở Nông nghiệp và Môi trường (Văn phòng Đăng ký đất đai thuộc Sở thực hiện đăng ký bằng quyền sử dụng đất)'],
    TAI_NGUYEN_NUOC: [AG.NN_MT, 'Sở Nông nghiệp và Môi trường (lĩnh vực tài nguyên nước của Sở TN&MT cũ)'],
    MOI_TRUONG: [AG.NN_MT, 'Sở Nông nghiệp và Môi trường (lĩnh vực môi trường của Sở TN&MT cũ)'],
    TAI_CHINH_DAT_DAI: [AG.TAI_CHINH, 'Sở Tài chính (tài chính đất đai; phối hợp cơ quan thuế) – chưa kiểm chứng với danh mục của thành phố'],
    DKKD: [AG.TAI_CHINH, 'Sở Tài chính (Phòng Đăng ký kinh doanh chuyển về Sở Tài chính khi hợp nhất Sở KH&ĐT từ 01/3/2025)'],
    NHA_O_CONG_SO: [AG.XAY_DUNG, 'Sở Xây dựng (quản lý nhà ở; nhà ở tái định cư)'],
    XAY_DUNG: [AG.XAY_DUNG, 'Sở Xây dựng'],
    DUONG_BO: [AG.XAY_DUNG, 'Sở Xây dựng (Sở GTVT hợp nhất vào Sở Xây dựng từ 3/2025)'],
    LY_LICH_TU_PHAP: [AG.TU_PHAP, 'Sở Tư pháp'],
    BOI_THUONG_NHA_NUOC: [AG.TU_PHAP, 'Sở Tư pháp (quản lý nhà nước về bồi thường nhà nước)'],
    HO_TICH: [AG.TU_PHAP, 'Sở Tư pháp'],
    CHUNG_THUC: [AG.TU_PHAP, 'Sở Tư pháp'],
    GIAM_NGHEO: [AG.NOI_VU, 'Sở Nội vụ (lao động, người có công, giảm nghèo từ Sở LĐTBXH cũ)'],
    BAO_TRO_XA_HOI: [AG.Y_TE, 'Sở Y tế (bảo trợ xã hội từ Sở LĐTBXH cũ)'],
  };

  // City promises shorter than the law (demo). Chosen by hand, preferring land
  // and construction; the promised value is computed as days − round(18 %).
  const CITY_CUT_DAYS = new Set([
    // Hoạt động xây dựng
    '1.013225', '1.013226', '1.013227', '1.013228', '1.013229',
    // Đất đai
    '1.013978', '1.012753', '1.012782', '1.012784', '1.012786', '1.012787',
    '1.012805', '1.012812', '1.013823', '1.013962', '1.013967',
    // others
    '1.004223', '1.010727', '3.000333',
  ]);
  // Very short procedures promised in working hours (statutory 1 day = 8 h).
  const CITY_HOURS = { '2.000908': 4, '1.001193': 4, '1.000656': 4, '1.013988': 4 };
  const DEMO_NOTE = 'demo: thời gian cam kết của thành phố (giả định)';

  // Clock pauses while waiting for a supplement (demo choice).
  const PAUSE = new Set(['1.012994', '1.012995', '1.012996', '6.003631', '6.003632', '2.002193']);

  // Fees: only where reasonably sure; empty = unknown.
  const HDND = 'Theo quy định của HĐND thành phố';
  const FEE_BY_CODE = {
    // Đất đai: phí thẩm định hồ sơ / lệ phí cấp GCN do HĐND tỉnh quyết định
    ...Object.fromEntries([
      '1.013978', '1.012753', '1.012756', '1.012766', '1.012781', '1.012782', '1.012783',
      '1.012784', '1.012785', '1.012786', '1.012787', '1.012793', '1.012817', '1.013831',
      '1.013833', '1.013977', '1.013980', '1.013992', '1.013993', '1.013995',
    ].map((c) => [c, HDND])),
    '1.012805': 'Không', '1.012812': 'Không', '1.013967': 'Không',
    // Hộ tịch (Luật Hộ tịch 2014, Điều 11)
    '1.001193': 'Miễn lệ phí (đăng ký đúng hạn)',
    '1.000656': 'Miễn lệ phí (đăng ký đúng hạn)',
    '1.000894': 'Miễn lệ phí',
    '1.000593': 'Miễn lệ phí',
    '1.004837': 'Miễn lệ phí',
    '1.004873': HDND, '1.001022': HDND, '1.000689': HDND, '1.004884': HDND,
    '1.004772': HDND, '1.004859': HDND, '2.000806': HDND, '2.000528': HDND,
    // Hộ kinh doanh
    '2.000720': HDND, '2.000575': HDND, '1.001570': 'Không', '1.001266': 'Không',
    // Doanh nghiệp (TT 47/2019/TT-BTC)
    '2.001583': '50.000 đồng (miễn khi nộp trực tuyến); phí công bố 100.000 đồng',
    '2.001199': '50.000 đồng (miễn khi nộp trực tuyến); phí công bố 100.000 đồng',
    '2.001610': '50.000 đồng (miễn khi nộp trực tuyến); phí công bố 100.000 đồng',
    // Xây dựng: lệ phí cấp giấy phép xây dựng do HĐND tỉnh quyết định
    '1.013225': HDND, '1.013226': HDND, '1.013227': HDND, '1.013228': HDND, '1.013229': HDND,
    // Cư trú (TT 75/2022/TT-BTC)
    '1.004222': '20.000 đồng (trực tuyến 10.000 đồng)',
    '1.004194': '15.000 đồng (trực tuyến 7.000 đồng)',
    '1.002755': '15.000 đồng (trực tuyến 7.000 đồng)',
    '1.010038': '10.000 đồng (trực tuyến 5.000 đồng)',
    '1.003197': 'Không',
    // Đăng ký biện pháp bảo đảm
    '1.011441': 'Phí theo quy định của Bộ Tài chính',
    '1.011442': 'Phí theo quy định của Bộ Tài chính',
    '1.011443': 'Phí theo quy định của Bộ Tài chính',
    // Tài nguyên nước, môi trường
    '1.004223': HDND, '1.010727': HDND, '1.010736': 'Không',
    // Others
    '1.011607': 'Không', '1.011608': 'Không', '1.002211': 'Không',
    '2.002165': 'Không', '2.002193': 'Không',
    '3.000333': '200.000 đồng/lần (sinh viên, người có công: 100.000 đồng)',
  };

  function normaliseLevel(code, raw) {
    const parts = raw.split(';');
    if (LEVEL_CHOICE[code]) return LEVEL_CHOICE[code];
    const hasP = parts.includes('province');
    const hasC = parts.includes('commune');
    if (hasP && hasC) throw new Error(`${code}: province;commune needs an explicit choice`);
    if (hasP) return ['province', raw === 'province' ? '' : `cấp gốc ${raw}: thành phố thực hiện ở cấp tỉnh`];
    if (hasC) return ['commune', raw === 'commune' ? '' : `cấp gốc ${raw}: thành phố thực hiện ở cấp xã`];
    throw new Error(`${code}: no province/commune level in "${raw}"`);
  }

  const procedures = [];
  const skipped = [];
  for (const p of srcProcedures) {
    if (!p.statutory_days.trim()) { skipped.push(p.code); continue; }
    const days = Number(p.statutory_days);
    if (!Number.isInteger(days) || days < 1) throw new Error(`${p.code}: bad days ${p.statutory_days}`);

    const isTopic = p.source.includes('[topic: Bồi thường, hỗ trợ, tái định cư]');
    let fieldCode = FIELD_CODES[p.field];
    const notes = [];
    if (FILE_TOPIC_UNDER_BTTDC && isTopic) {
      fieldCode = 'BOI_THUONG_TDC';
      notes.push(`lĩnh vực trên CSDLQG: ${p.field}`);
    }

    const [level, levelNote] = normaliseLevel(p.code, p.level);
    if (levelNote) notes.push(`cấp: ${level} – ${levelNote}`);

    let agency = '';
    if (level === 'province') {
      const m = PROVINCE_AGENCY[FIELD_CODES[p.field]];
      if (!m) throw new Error(`${p.code}: no province agency for ${p.field}`);
      agency = m[0];
      notes.push(`cơ quan giải quyết: ${m[1]}`);
    }

    let value = days;
    let unit = 'working_days';
    if (CITY_HOURS[p.code]) {
      if (days !== 1) throw new Error(`${p.code}: hours only for 1-day procedures`);
      value = CITY_HOURS[p.code];
      unit = 'working_hours';
      notes.push(`${DEMO_NOTE}: ${days} ngày làm việc → ${value} giờ làm việc`);
    } else if (CITY_CUT_DAYS.has(p.code)) {
      value = Math.max(1, days - Math.max(1, Math.round(days * 0.18)));
      notes.push(`${DEMO_NOTE}: ${days} → ${value} ngày làm việc`);
    }

    const onSupplement = PAUSE.has(p.code) ? 'pause' : 'restart';
    if (onSupplement === 'pause') notes.push('on_supplement=pause: lựa chọn demo');

    procedures.push({
      code: p.code,
      name: tidyName(p.name, p.code),
      field_code: fieldCode,
      level,
      agency_code: agency,
      statutory_days: days,
      duration_value: value,
      duration_unit: unit,
      on_supplement: onSupplement,
      fee: FEE_BY_CODE[p.code] ?? '',
      source: shorten(p.source) + (notes.length ? ` | Ghi chú: ${notes.join('; ')}` : ''),
    });
  }
  for (const c of [...CITY_CUT_DAYS, ...Object.keys(CITY_HOURS), ...PAUSE, ...Object.keys(FEE_BY_CODE), ...Object.keys(LEVEL_CHOICE)]) {
    if (!procedures.some((p) => p.code === c)) throw new Error(`configured code ${c} not in output`);
  }

  // ------------------------------------------------------------ write

  const n = {
    agencies: writeCsv('agencies.csv', ['code', 'name', 'parent_code', 'level', 'kind', 'code_note'], agencies),
    fields: writeCsv('fields.csv', ['code', 'name'], fields),
    procedures: writeCsv('procedures.csv', [
      'code', 'name', 'field_code', 'level', 'agency_code', 'statutory_days',
      'duration_value', 'duration_unit', 'on_supplement', 'fee', 'source',
    ], procedures),
  };
  console.log(
    `agencies ${n.agencies}, fields ${n.fields}, procedures ${n.procedures} ` +
    `(skipped without time: ${skipped.join(' ')}), ` +
    `promised < statutory: ${procedures.filter((p) => p.duration_unit === 'working_hours' || p.duration_value < p.statutory_days).length}`,
  );
}

// ------------------------------------------------------------ check
//
// Re-reads the written CSVs (they are what the seed loads) and checks the
// referential integrity and the minimum sizes required by SPEC §2.

function check() {
  const load = (f) => parseCsv(readFileSync(join(OUT, f), 'utf8'));
  const agencies = load('agencies.csv');
  const fields = load('fields.csv');
  const procedures = load('procedures.csv');
  const days = load('vn-days-off.csv');
  const errors = [];
  const fail = (m) => errors.push(m);

  const unique = (rows, what) => {
    const seen = new Set();
    for (const r of rows) {
      if (!r.code) fail(`${what}: empty code`);
      if (seen.has(r.code)) fail(`${what}: duplicate code ${r.code}`);
      seen.add(r.code);
    }
    return seen;
  };
  const agencyCodes = unique(agencies, 'agencies');
  const fieldCodes = unique(fields, 'fields');
  unique(procedures, 'procedures');

  for (const a of agencies) {
    if (!/^\d{3}\.\d{2}\.\d{2}\.H13$/.test(a.code)) fail(`agency ${a.code}: not in xxx.yy.zz.H13 pattern`);
    if (a.parent_code && !agencyCodes.has(a.parent_code)) fail(`agency ${a.code}: unknown parent ${a.parent_code}`);
    if (!['province', 'commune'].includes(a.level)) fail(`agency ${a.code}: level ${a.level}`);
    if (!['people_committee', 'office', 'service_centre', 'department', 'inspectorate', 'commune', 'ward'].includes(a.kind)) fail(`agency ${a.code}: kind ${a.kind}`);
    if (a.code_note !== 'generated (H13 pattern, not official)') fail(`agency ${a.code}: code_note`);
  }
  if (agencies.filter((a) => !a.parent_code).length !== 1) fail('agencies: expected exactly one root');
  for (const f of fields) if (!/^[A-Z][A-Z0-9_]*$/.test(f.code)) fail(`field code ${f.code} not uppercase ASCII`);

  for (const p of procedures) {
    const id = `procedure ${p.code}`;
    if (!/^\d\.\d{6}$/.test(p.code)) fail(`${id}: code format`);
    if (!fieldCodes.has(p.field_code)) fail(`${id}: unknown field ${p.field_code}`);
    if (p.agency_code && !agencyCodes.has(p.agency_code)) fail(`${id}: unknown agency ${p.agency_code}`);
    if (p.level === 'province' && !p.agency_code) fail(`${id}: province level without agency`);
    if (p.level === 'commune' && p.agency_code) fail(`${id}: commune level must have empty agency`);
    if (!['province', 'commune'].includes(p.level)) fail(`${id}: level ${p.level}`);
    const sd = Number(p.statutory_days);
    const dv = Number(p.duration_value);
    if (!Number.isInteger(sd) || sd < 1) fail(`${id}: statutory_days ${p.statutory_days}`);
    if (!Number.isInteger(dv) || dv < 1) fail(`${id}: duration_value ${p.duration_value}`);
    if (p.duration_unit === 'working_days') { if (dv > sd) fail(`${id}: promises more than the law`); }
    else if (p.duration_unit === 'working_hours') { if (dv > sd * 8) fail(`${id}: promises more than the law`); }
    else fail(`${id}: duration_unit ${p.duration_unit}`);
    const cut = p.duration_unit === 'working_hours' || dv < sd;
    if (cut && !p.source.includes('demo: thời gian cam kết của thành phố (giả định)')) fail(`${id}: cut not marked in source`);
    if (!['restart', 'pause'].includes(p.on_supplement)) fail(`${id}: on_supplement ${p.on_supplement}`);
    if (!p.name.trim() || !p.source.trim()) fail(`${id}: empty name/source`);
    if (/[\s.:;,]$|\s\s/.test(p.name) || p.name.includes(`(${p.code}`) || p.name.includes(`( ${p.code}`)) fail(`${id}: name not tidied: ${p.name.slice(-40)}`);
  }
  const usedFields = new Set(procedures.map((p) => p.field_code));
  if (usedFields.size < 12) fail(`only ${usedFields.size} fields used (< 12)`);
  if (procedures.length < 60) fail(`only ${procedures.length} procedures (< 60)`);
  for (const d of days) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d.date) || !['holiday', 'day_off', 'working_day'].includes(d.kind)) fail(`days off: bad row ${d.date}`);
  }

  const cuts = procedures.filter((p) => p.duration_unit === 'working_hours' || Number(p.duration_value) < Number(p.statutory_days));
  console.log(
    `check: ${agencies.length} agencies, ${fields.length} fields (${usedFields.size} used), ` +
    `${procedures.length} procedures (${procedures.filter((p) => p.level === 'province').length} province, ` +
    `${procedures.filter((p) => p.level === 'commune').length} commune; ${cuts.length} promised < statutory, ` +
    `${procedures.filter((p) => p.duration_unit === 'working_hours').length} in hours, ` +
    `${procedures.filter((p) => p.on_supplement === 'pause').length} pause), ${days.length} days off`,
  );
  if (errors.length) {
    console.error(errors.join('\n'));
    process.exit(1);
  }
  console.log('check: OK');
}

if (!CHECK_ONLY) build();
check();
