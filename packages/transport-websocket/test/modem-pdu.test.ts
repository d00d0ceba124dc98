import { Deliver, parse, Report, Submit, utils } from 'node-pdu';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  alphabetOf,
  decodePdu,
  encodeDeliver,
  encodeStatusReport,
  encodeSubmit,
  MAX_PDU_HEX_LENGTH,
  outcomeOf,
  PduError,
  relativeValidity,
  type SubmitPduDecoded,
} from '../src/client/drivers/modem/pdu.js';

const SWEDEN = '+46708251358';

function submitted(hex: string): SubmitPduDecoded {
  const decoded = decodePdu(hex);
  if (decoded.type !== 'submit') throw new Error(`expected a submit, got ${decoded.type}`);
  return decoded;
}

/** node-pdu's parts as hex; its multipart reference comes from Math.random, fixed here. */
function nodePduParts(to: string, text: string): string[] {
  vi.spyOn(Math, 'random').mockReturnValue(0x1234 / 0x10000);
  return new Submit(to, text).getPartStrings();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('encodeSubmit against published PDUs', () => {
  it('packs "hellohello" as the classic SMS-SUBMIT example (relative validity 4 days, AT+CMGS=23)', () => {
    const parts = encodeSubmit({
      to: SWEDEN,
      text: 'hellohello',
      statusReport: false,
      validityMinutes: 4 * 24 * 60,
    });
    expect(parts).toEqual([
      { hex: '0011000B916407281553F80000AA0AE8329BFD4697D9EC37', length: 23 },
    ]);
  });

  it('encodes "Hello World!" with no validity period (python-gsmmodem vector)', () => {
    const [part] = encodeSubmit({ to: '+27820001111', text: 'Hello World!', statusReport: false });
    expect(part!.hex).toBe('0001000B917228001011F100000CC8329BFD065DDF72363904');
    expect(part!.length).toBe(part!.hex.length / 2 - 1);
  });

  it('encodes a UCS-2 text (python-gsmmodem vector, without its SMSC)', () => {
    const [part] = encodeSubmit({ to: '+34616585119', text: 'あ叶葉', statusReport: false });
    expect(part!.hex).toBe('0001000B914316565811F9000806304253F68449');
  });

  it('splits a long GSM-7 text in 153-septet parts with an 8-bit reference (python-gsmmodem vector)', () => {
    const text =
      'Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.Ut enim ad minim veniam, quinostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.Duis aute irure dolor in reprehenderit in voluptate velit esse cillum doloe eu fugiat nulla pariatur.Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum';
    // The published PDUs set TP-RD (first octet 0x45); we do not ask the SMSC to reject duplicates (0x41).
    const published = [
      '0045000B915121551532F40000A0050003000301986F79B90D4AC3E7F53688FC66BFE5A0799A0E0AB7CB741668FC76CFCB637A995E9783C2E4343C3D4F8FD3EE33A8CC4ED359A079990C22BF41E5747DDE7E9341F4721BFE9683D2EE719A9C26D7DD74509D0E6287C56F791954A683C86FF65B5E06B5C36777181466A7E3F5B0AB4A0795DDE936284C06B5D3EE741B642FBBD3E1360B14AFA7DD',
      '0045000B915121551532F40000A0050003000302DE73BABC4E0695F165F9384D0FD3D36F37A8CE6687DBE337881D16BFE5E939C89D9EA741753A28CC4EC7EB6938A88C0795C3A0F1BBDD7E93DFA0F1DB3D2FC7EB61BA8B584FCF41E13ABD0C4ACBEBF23288FC66BFE5A0B41B242FC3E56574D94D2ECBD37450DA0DB2BFD975383D4C2F83EC65769A0E2ACFE765D038CD66D7DB20F29BFD2E83CA',
      '0045000B915121551532F400008C050003000303EA2073FD9C0ED341EE3A9B1D06C1C3F274985E97BB8AF871194E2FD7E5A079DA4D07BDC7E370791CA683C675789A1CA687E920F7DB0D82CBDF6972D94D6781E675371D947683C675363C0C8AD7D3A0B7D99C1EA7C32072795E96D7DD7450FBCD66A7E9A0B03BDD06A5C9A0F29C0E6287C56F79BD0D',
    ];
    const parts = encodeSubmit({ to: '+15125551234', text, statusReport: false, reference: 0 });
    expect(parts.map((part) => part.hex)).toEqual(
      published.map((hex) => hex.replace(/^0045/, '0041')),
    );
    expect(parts.map((part) => part.length)).toEqual(published.map((hex) => hex.length / 2 - 1));
  });
});

describe('decodePdu against published PDUs', () => {
  it('reads the classic SMS-DELIVER "hellohello" (national-format sender, +02:00)', () => {
    expect(
      decodePdu('07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37'),
    ).toEqual({
      type: 'deliver',
      smsc: '+27381000015',
      from: '27838890001',
      timestamp: new Date('1999-03-29T15:16:59+02:00'),
      text: 'hellohello',
      alphabet: 'gsm7',
      concat: null,
    });
  });

  it('reads an international sender and a +08:00 time zone', () => {
    const pdu = decodePdu(
      '07915892000000F0040B915892214365F700007040213252242331493A283D0795C3F33C88FE06C9CB6132885EC6D341EDF27C1E3E97E7207B3A0C0A5241E377BB1D7693E72E',
    );
    expect(pdu).toMatchObject({
      smsc: '+85290000000',
      from: '+85291234567',
      timestamp: new Date('2007-04-12T23:25:42+08:00'),
      text: 'It is easy to read text messages via AT commands.',
    });
  });

  it('reads a negative time zone (sign bit set)', () => {
    const pdu = decodePdu(
      '07919730071111F1000B919746121611F100008111700212222B0DC8329BFD6681EE6F399B1C02',
    );
    expect(pdu).toMatchObject({
      timestamp: new Date('2018-11-07T20:21:22-08:00'),
      text: 'Hello, world!',
    });
  });

  it('reads an alphanumeric originator (TON 5, GSM-7 packed)', () => {
    const pdu = decodePdu(
      '07911326060032F0000DD0D432DBFC96D30100001121313121114012D7327BFC6E9741F437885A669BDF723A',
    );
    expect(pdu).toMatchObject({
      smsc: '+31626000230',
      from: 'Telfort',
      timestamp: new Date('2011-12-13T13:12:11+01:00'),
      text: 'Welcome to Telfort',
    });
  });

  it('reads an 8-bit concatenation header and the fill bit after it', () => {
    const pdu = decodePdu(
      '0591721891F1400781721881F800003160526104848059050003C30101916536FB1DCABEEB2074D85E064941B19CAB060319A5C522289C96D3D3ED32286C0FA7D96131BBEC024941B19CAB0603DDD36C36A88C87A7E565D0DB0D82C55EB0DB4B068BCD5C20',
    );
    expect(pdu).toMatchObject({
      smsc: '+2781191',
      from: '2781188',
      text: 'Hello!You have R 19.50 FREE airtime available. R 19.50 will expire on 01/07/2013. ',
      concat: { reference: 0xc3, total: 1, part: 1 },
    });
  });

  it('skips other header elements (EMS text formatting)', () => {
    const pdu = decodePdu(
      '07919730071111F1400B919746121611F100008111701222822310050A03000410846F3619F476B3F3',
    );
    expect(pdu).toMatchObject({ text: 'Bold only', concat: null });
  });

  it('reads extension-table characters', () => {
    expect(
      decodePdu('06917228195339040B917228214365F70000313062315352800A800D8A5E98D337A910'),
    ).toMatchObject({
      from: '+27821234567',
      text: '@{tést}!',
    });
    expect(
      decodePdu('07919730071111F1000B919746121611F10000811170021222230A1B5E583C2697CD1B1F'),
    ).toMatchObject({ text: '[abcdef]' });
  });

  it('reads UCS-2 and 8-bit user data', () => {
    const ucs2 = decodePdu(
      '07919730071111F1000B919746121611F100088111800212222318041F04400438043204350442002C0020043C043804400021',
    );
    expect(ucs2).toMatchObject({ text: 'Привет, мир!', alphabet: 'ucs2' });
    const eightBit = decodePdu('0591721891F101000B917228214365F700040C48656C6C6F20776F726C6421');
    expect(eightBit).toMatchObject({
      type: 'submit',
      to: '+27821234567',
      text: 'Hello world!',
      alphabet: '8bit',
    });
  });

  it('reads SMS-SUBMITs with relative and absolute validity periods', () => {
    expect(
      submitted('07911326040000F0310D0B911326880736F40000A90FF7FBDD454E87CDE1B0DB357EB701'),
    ).toEqual({
      type: 'submit',
      to: '+31628870634',
      messageReference: 13,
      statusReport: true,
      text: 'www.diafaan.com',
      alphabet: 'gsm7',
      concat: null,
    });
    const absolute = submitted(
      '0019000B917228001011F100003170013193008017D474BB3CA787DB70903DCC4E93D3F43C885E9ED301',
    );
    expect(absolute.text).toBe('Timestamp validity test');
  });

  it('reads the classic SMS-STATUS-REPORT (delivered)', () => {
    expect(decodePdu('0006D60B911326880736F4111011719551401110117195714000')).toEqual({
      type: 'status-report',
      smsc: null,
      messageReference: 214,
      recipient: '+31628870634',
      submittedAt: new Date('2011-01-11T17:59:15+01:00'),
      dischargedAt: new Date('2011-01-11T17:59:17+01:00'),
      status: 0,
      outcome: 'delivered',
    });
  });

  it('reads national numbers with "*", "#" and an odd length (F filler)', () => {
    const report = encodeStatusReport({
      messageReference: 1,
      recipient: '*100#',
      submittedAt: new Date('2000-01-01T00:00:00Z'),
      dischargedAt: new Date('2000-01-01T00:00:00Z'),
      status: 0,
    });
    // Recipient: 5 digits, TON unknown/ISDN, "*1" "00" "#F" nibble-swapped; then 2000-01-01 twice.
    expect(report).toBe('00060105811A00FB' + '00101000000000'.repeat(2) + '00');
    expect(decodePdu(report)).toMatchObject({
      recipient: '*100#',
      submittedAt: new Date('2000-01-01T00:00:00Z'),
    });
  });
});

describe('the encoders reproduce published PDUs', () => {
  it('SMS-DELIVER from an international sender', () => {
    const [hex] = encodeDeliver({
      smsc: '+85290000000',
      from: '+85291234567',
      text: 'It is easy to read text messages via AT commands.',
      timestamp: new Date('2007-04-12T23:25:42+08:00'),
      timeZoneQuarters: 32,
    });
    expect(hex).toBe(
      '07915892000000F0040B915892214365F700007040213252242331493A283D0795C3F33C88FE06C9CB6132885EC6D341EDF27C1E3E97E7207B3A0C0A5241E377BB1D7693E72E',
    );
  });

  it('SMS-DELIVER from an alphanumeric sender', () => {
    const [hex] = encodeDeliver({
      smsc: '+31626000230',
      from: 'Telfort',
      text: 'Welcome to Telfort',
      timestamp: new Date('2011-12-13T13:12:11+01:00'),
      timeZoneQuarters: 4,
    });
    // The published PDU has TP-MMS clear (first octet 00); ours says no more messages wait (04).
    expect(hex).toBe(
      '07911326060032F0040DD0D432DBFC96D30100001121313121114012D7327BFC6E9741F437885A669BDF723A',
    );
  });

  it('SMS-STATUS-REPORT', () => {
    const hex = encodeStatusReport({
      messageReference: 214,
      recipient: '+31628870634',
      submittedAt: new Date('2011-01-11T17:59:15+01:00'),
      dischargedAt: new Date('2011-01-11T17:59:17+01:00'),
      status: 0,
      timeZoneQuarters: 4,
    });
    expect(hex).toBe('0006D60B911326880736F4111011719551401110117195714000');
  });
});

describe('status reports', () => {
  const cases = [
    { status: 0x00, outcome: 'delivered' },
    { status: 0x1f, outcome: 'delivered' },
    { status: 0x20, outcome: 'pending' },
    { status: 0x3f, outcome: 'pending' },
    { status: 0x40, outcome: 'failed' },
    { status: 0x45, outcome: 'failed' },
    { status: 0x62, outcome: 'failed' },
    { status: 0xff, outcome: 'failed' },
  ] as const;

  it.each(cases)('TP-ST $status is $outcome', ({ status, outcome }) => {
    const fields = {
      smsc: '+31624000000',
      messageReference: 77,
      recipient: '+31628870634',
      submittedAt: new Date('2024-02-29T10:00:00Z'),
      dischargedAt: new Date('2024-02-29T10:05:30Z'),
      status,
    };
    const hex = encodeStatusReport({ ...fields, timeZoneQuarters: -20 });
    expect(decodePdu(hex)).toEqual({ type: 'status-report', ...fields, outcome });
    expect(outcomeOf(status)).toBe(outcome);
    // node-pdu reads the same reference, recipient, status and time stamps.
    const report = parse(hex) as Report;
    expect(report).toBeInstanceOf(Report);
    expect([report.reference, report.status, report.address.phone]).toEqual([
      77,
      status,
      '31628870634',
    ]);
    expect(report.dateTime.getIsoString()).toBe('2024-02-29T05:00:00-05:00');
    expect(report.discharge.getIsoString()).toBe('2024-02-29T05:05:30-05:00');
  });
});

describe('encodeSubmit cross-checked with node-pdu', () => {
  it('GSM-7 single part, with and without a status report and validity period', () => {
    expect(encodeSubmit({ to: SWEDEN, text: 'hellohello', statusReport: false })[0]!.hex).toBe(
      nodePduParts(SWEDEN, 'hellohello')[0],
    );
    const withOptions = new Submit(SWEDEN, 'hellohello');
    withOptions.type.setStatusReportRequest(1);
    withOptions.setValidityPeriod(4 * 24 * 3600);
    const ours = encodeSubmit({ to: SWEDEN, text: 'hellohello', validityMinutes: 4 * 24 * 60 });
    // node-pdu sets TP-VPF only while writing TP-VP, after it wrote the first octet: its first
    // string has a TP-VP octet that TP-VPF does not announce, a malformed PDU.
    const first = withOptions.getPartStrings()[0]!;
    expect(first).toBe('0021000B916407281553F80000AA0AE8329BFD4697D9EC37');
    expect(() => decodePdu(first)).toThrow(PduError);
    expect(ours[0]!.hex).toBe('0031000B916407281553F80000AA0AE8329BFD4697D9EC37');
    expect(ours[0]!.hex).toBe(withOptions.getPartStrings()[0]);
  });

  it('GSM-7 with extension characters', () => {
    const text = 'x[abc]{}~^|\\';
    const [ours] = encodeSubmit({ to: SWEDEN, text, statusReport: false });
    expect(ours!.hex).toBe(nodePduParts(SWEDEN, text)[0]);
    expect(submitted(ours!.hex).text).toBe(text);
  });

  it('keeps "€", "é" and form feed in GSM-7 where node-pdu falls back to UCS-2 or a space', () => {
    // TS 23.038 §6.2.1: "é" is 0x05, "€" is escape 0x65, form feed escape 0x0A. node-pdu switches
    // to UCS-2 for any code point above 0xC0 and has no form feed in its extension table.
    const text = 'café €5\f';
    const [ours] = encodeSubmit({ to: SWEDEN, text, statusReport: false });
    expect(alphabetOf(text)).toBe('gsm7');
    expect(ours!.hex).toBe('0001000B916407281553F800000AE3B0B900DA946B1B05');
    expect(submitted(ours!.hex).text).toBe(text);
    expect(nodePduParts(SWEDEN, 'café')[0]).toContain('00080800630061006600E9');
    expect((parse(ours!.hex) as Submit).data.getText()).toBe('café €5`'); // node-pdu misreads escape 0x0A
  });

  it('maps "§" and "`" as TS 23.038 does, where node-pdu confuses them', () => {
    // 0x5F is "§"; "`" is not in the GSM 7-bit alphabet. node-pdu's table puts "`" at 0x5F.
    expect(alphabetOf('§')).toBe('gsm7');
    expect(alphabetOf('`')).toBe('ucs2');
    expect(encodeSubmit({ to: SWEDEN, text: '§', statusReport: false })[0]!.hex).toMatch(/015F$/);
    expect((parse('0001000B916407281553F80000015F') as Submit).data.getText()).toBe('`');
  });

  it('GSM-7 multipart: an escape at the 153rd septet moves to the next part', () => {
    const text = `${'a'.repeat(152)}€${'b'.repeat(20)}`;
    const parts = encodeSubmit({ to: SWEDEN, text, reference: 0x42 });
    const header = '0061000B916407281553F80000';
    // Part texts packed after one fill bit by node-pdu's own septet packer.
    const packed = (part: string) => utils.Helper.encode7Bit(part, 1).result;
    expect(parts.map((part) => part.hex)).toEqual([
      `${header}9F050003420201${packed('a'.repeat(152))}`,
      `${header}1D050003420202${packed(`€${'b'.repeat(20)}`)}`,
    ]);
    expect(parts.map((part) => submitted(part.hex).text)).toEqual([
      'a'.repeat(152),
      `€${'b'.repeat(20)}`,
    ]);
    const read = parts.map((part) => parse(part.hex) as Submit);
    expect(read.map((pdu) => pdu.data.getText())).toEqual(['a'.repeat(152), `€${'b'.repeat(20)}`]);
    expect(read.map((pdu) => pdu.getParts()[0]!.header!.toJSON())).toEqual([
      { POINTER: 0x42, SEGMENTS: 2, CURRENT: 1 },
      { POINTER: 0x42, SEGMENTS: 2, CURRENT: 2 },
    ]);
  });

  it('GSM-7: 160 septets are one part, 161 are two (node-pdu splits at 133 characters)', () => {
    expect(encodeSubmit({ to: SWEDEN, text: 'a'.repeat(160) })).toHaveLength(1);
    expect(encodeSubmit({ to: SWEDEN, text: `${'a'.repeat(158)}€` })).toHaveLength(1);
    const two = encodeSubmit({ to: SWEDEN, text: `${'a'.repeat(159)}€` });
    expect(two.map((part) => submitted(part.hex).text)).toEqual([
      'a'.repeat(153),
      `${'a'.repeat(6)}€`,
    ]);
    expect(nodePduParts(SWEDEN, 'a'.repeat(134))).toHaveLength(2);
  });

  it('UCS-2 single part', () => {
    const text = 'Привет, мир!';
    const [ours] = encodeSubmit({ to: SWEDEN, text, statusReport: false });
    expect(ours!.hex).toBe(nodePduParts(SWEDEN, text)[0]);
    expect(submitted(ours!.hex)).toMatchObject({ text, alphabet: 'ucs2' });
  });

  it('UCS-2 multipart: an emoji at the 67th unit moves whole to the next part', () => {
    const text = `${'я'.repeat(66)}😀${'я'.repeat(10)}`;
    const parts = encodeSubmit({ to: SWEDEN, text, statusReport: false, reference: 9 });
    const units = (s: string) => utils.Helper.encode16Bit(s).result;
    expect(parts.map((part) => part.hex)).toEqual([
      `0041000B916407281553F800088A050003090201${units('я'.repeat(66))}`,
      `0041000B916407281553F800081E050003090202${units(`😀${'я'.repeat(10)}`)}`,
    ]);
    expect(parts.map((part) => (parse(part.hex) as Submit).data.getText())).toEqual([
      'я'.repeat(66),
      `😀${'я'.repeat(10)}`,
    ]);
    expect(encodeSubmit({ to: SWEDEN, text: 'я'.repeat(70) })).toHaveLength(1);
    expect(encodeSubmit({ to: SWEDEN, text: 'я'.repeat(71) })).toHaveLength(2);
  });

  it('node-pdu splits a surrogate pair at its 63-unit boundary; we decode its halves as they are', () => {
    const parts = nodePduParts(SWEDEN, `${'я'.repeat(62)}😀${'я'.repeat(10)}`);
    const decoded = parts.map((hex) => submitted(hex));
    expect(decoded[0]!.text.endsWith('\ud83d')).toBe(true);
    expect(decoded[1]!.text.startsWith('\ude00')).toBe(true);
  });

  it('international and national recipients', () => {
    expect(encodeSubmit({ to: '0708251358', text: 'hi', statusReport: false })[0]!.hex).toBe(
      nodePduParts('0708251358', 'hi')[0],
    );
    expect(encodeSubmit({ to: '+999', text: 'x', statusReport: false })[0]!.hex).toBe(
      nodePduParts('+999', 'x')[0],
    );
    expect(submitted(encodeSubmit({ to: '0708251358', text: 'hi' })[0]!.hex).to).toBe('0708251358');
    expect(submitted(encodeSubmit({ to: '+999', text: 'x' })[0]!.hex).to).toBe('+999');
  });

  it('relative validity beyond 30 days counts weeks (node-pdu keeps counting days past 196)', () => {
    const sixtyDays = 60 * 24 * 60;
    const [ours] = encodeSubmit({
      to: SWEDEN,
      text: 'x',
      statusReport: false,
      validityMinutes: sixtyDays,
    });
    expect(ours!.hex).toBe('0011000B916407281553F80000C90178'); // 0xC9: 9 weeks
    const theirs = new Submit(SWEDEN, 'x');
    theirs.setValidityPeriod(sixtyDays * 60);
    theirs.getPartStrings(); // the first string lacks TP-VPF (see above)
    expect(theirs.getPartStrings()[0]).toBe('0011000B916407281553F80000E20178'); // 0xE2 would be 34 weeks
  });
});

describe('decodePdu reads what node-pdu writes', () => {
  it.each([
    // node-pdu picks UCS-2 for any code point above 0xC0, although "ü", "ß" and "ö" are GSM-7.
    { text: 'Grüße aus Köln', alphabet: 'ucs2', zone: 120 },
    { text: 'Hello, world! [ok] {}', alphabet: 'gsm7', zone: -330 },
  ])('SMS-DELIVER "$text" at UTC$zone min', ({ text, alphabet, zone }) => {
    const when = new Date('2024-06-30T21:45:10Z');
    const deliver = new Deliver('+4915112345678', text, {
      serviceCenterTimeStamp: new utils.SCTS(when, zone),
    });
    const [hex] = deliver.getPartStrings();
    const expected = { from: '+4915112345678', timestamp: when, text, alphabet, concat: null };
    expect(decodePdu(hex!)).toEqual({ type: 'deliver', smsc: null, ...expected });
  });

  it('a multipart SMS-SUBMIT with 16-bit concatenation references', () => {
    const text = `${'0123456789'.repeat(20)}end`;
    const parts = nodePduParts('+15125551234', text);
    const decoded = parts.map((hex) => submitted(hex));
    expect(decoded.map((pdu) => pdu.concat)).toEqual([
      { reference: 0x1234, total: 2, part: 1 },
      { reference: 0x1234, total: 2, part: 2 },
    ]);
    expect(decoded.map((pdu) => pdu.text).join('')).toBe(text);
  });

  it('a multipart UCS-2 SMS-SUBMIT', () => {
    const text = 'Съешь же ещё этих мягких французских булок, да выпей чаю. '.repeat(2);
    const decoded = nodePduParts(SWEDEN, text).map((hex) => submitted(hex));
    expect(decoded.map((pdu) => pdu.alphabet)).toEqual(['ucs2', 'ucs2']);
    expect(decoded.map((pdu) => pdu.text).join('')).toBe(text);
  });
});

describe('node-pdu reads what we write', () => {
  it('SMS-DELIVER', () => {
    const [hex] = encodeDeliver({
      smsc: '+4917000000',
      from: '+4915112345678',
      text: 'Grüße {aus} Köln',
      timestamp: new Date('2024-06-30T21:45:10Z'),
      timeZoneQuarters: 8,
    });
    const deliver = parse(hex!) as Deliver;
    expect(deliver).toBeInstanceOf(Deliver);
    expect(deliver.address.phone).toBe('4915112345678');
    expect(deliver.serviceCenterAddress.phone).toBe('4917000000');
    expect(deliver.data.getText()).toBe('Grüße {aus} Köln');
    expect(deliver.serviceCenterTimeStamp.getIsoString()).toBe('2024-06-30T23:45:10+02:00');
  });

  it('SMS-SUBMIT with the default status report request', () => {
    const [part] = encodeSubmit({ to: '+4915112345678', text: 'ping' });
    const submit = parse(part!.hex) as Submit;
    expect(submit.type.statusReportRequest).toBe(1);
    expect(submit.address.phone).toBe('4915112345678');
    expect(submit.data.getText()).toBe('ping');
  });
});

describe('options', () => {
  it('rejects invalid numbers', () => {
    for (const to of ['', '+', '12a', '+12 34', '+1-555', `+${'1'.repeat(21)}`, '++1']) {
      expect(() => encodeSubmit({ to, text: 'x' }), to).toThrow(RangeError);
    }
    expect(() => encodeSubmit({ to: `+${'1'.repeat(20)}`, text: 'x' })).not.toThrow();
  });

  it('rejects a reference outside 0–255 and a validity that is not a positive number', () => {
    for (const reference of [-1, 256, 1.5]) {
      expect(() => encodeSubmit({ to: SWEDEN, text: 'x', reference })).toThrow(RangeError);
    }
    for (const validityMinutes of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => encodeSubmit({ to: SWEDEN, text: 'x', validityMinutes })).toThrow(RangeError);
    }
  });

  it('allows 255 parts and no more', () => {
    expect(encodeSubmit({ to: SWEDEN, text: 'a'.repeat(255 * 153) })).toHaveLength(255);
    expect(() => encodeSubmit({ to: SWEDEN, text: 'a'.repeat(255 * 153 + 1) })).toThrow(RangeError);
    expect(encodeSubmit({ to: SWEDEN, text: 'я'.repeat(255 * 67) })).toHaveLength(255);
    expect(() => encodeSubmit({ to: SWEDEN, text: 'я'.repeat(255 * 67 + 1) })).toThrow(RangeError);
    // Escape pairs count twice: 100 000 "€" need 200 000 septets.
    expect(() => encodeSubmit({ to: SWEDEN, text: '€'.repeat(20_000) })).toThrow(RangeError);
  });

  it('encodes the relative validity period of TS 23.040 §9.2.3.12.1, rounding up', () => {
    // minutes:TP-VP — 5-minute steps to 12 h, 30-minute steps to 24 h, days to 30, then weeks.
    const table =
      '1:0 5:0 6:1 30:5 720:143 721:144 960:151 1440:167 1441:168 4320:169 43200:196 43201:197 ' +
      '50400:197 635040:255 1008000:255';
    const cases = table.split(' ').map((pair) => pair.split(':').map(Number) as [number, number]);
    expect(cases.map(([minutes]) => relativeValidity(minutes))).toEqual(cases.map(([, vp]) => vp));
  });

  it('empty text is one part with no user data', () => {
    expect(encodeSubmit({ to: SWEDEN, text: '', statusReport: false })).toEqual([
      { hex: '0001000B916407281553F8000000', length: 13 },
    ]);
  });
});

describe('malformed PDUs', () => {
  const valid = '07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37';
  const cases: [string, string][] = [
    ['empty', ''],
    ['odd length', 'ABC'],
    ['not hex', '0011ZZ'],
    ['too long', '0'.repeat(MAX_PDU_HEX_LENGTH + 2)],
    ['truncated', valid.slice(0, -2)],
    ['octets after the user data', `${valid}00`],
    ['reserved message type', '0003'],
    ['SMSC field of 13 octets', `0D91${'11'.repeat(12)}04`],
    ['address of 21 digits', '00041591'],
    ['non-decimal time stamp', '00040B915892214365F70000A040213252242300'],
    ['month 13', '00040B915892214365F700007031213252242300'],
    [
      'GSM-7 user data over 160 septets',
      `00040B915892214365F7000070402132522423A1${'00'.repeat(141)}`,
    ],
    ['header longer than the user data', '00440B915892214365F70008704021325224230306050003'],
    ['element past the header', '00440B915892214365F7000870402132522423060500040102030000'],
    ['odd UCS-2 user data', '00040B915892214365F7000870402132522423030041FF'],
    ['compressed user data', '00040B915892214365F70020704021325224230100'],
  ];

  it.each(cases)('%s', (_name, hex) => {
    expect(() => decodePdu(hex)).toThrow(PduError);
  });

  it('every truncation of a valid PDU is a PduError, never another error', () => {
    const pdus = [
      valid,
      '0006D60B911326880736F4111011719551401110117195714000',
      ...encodeSubmit({ to: SWEDEN, text: `${'€'.repeat(90)}`, validityMinutes: 60 }).map(
        (p) => p.hex,
      ),
    ];
    for (const hex of pdus) {
      // A status report may stop after TP-ST; anything shorter is cut.
      for (let length = 0; length < hex.length; length += 2) {
        expect(() => decodePdu(hex.slice(0, length)), `${hex.slice(0, length)}`).toThrow(PduError);
      }
    }
  });

  it('random input throws PduError or decodes, nothing else', () => {
    let seed = 0x2545f491;
    const next = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const length = next() % 120;
      const bytes = Array.from({ length }, () => next() >>> 24);
      // Bias towards the SMSC-less deliver header so the deeper fields are reached too.
      if (i % 2 === 0 && length > 2) bytes.splice(0, 2, 0x00, next() % 2 === 0 ? 0x04 : 0x44);
      const hex = Buffer.from(bytes).toString('hex');
      try {
        decodePdu(hex);
      } catch (error) {
        expect(error, hex).toBeInstanceOf(PduError);
      }
    }
  });
});
