/**
 * The `format` checks kubeconform's JSON Schema library (santhosh-tekuri/jsonschema v6) makes,
 * for the formats in ASSERTED_FORMATS, with its rules: RFC 3339 date-time with leap seconds
 * only at 23:59:60 UTC, Go's date parsing, dotted-quad IPv4 without leading zeros, IPv6
 * without a zone. A value that is not a string passes, as there.
 */
export const FORMAT_CHECKS: Record<string, (value: string) => boolean> = {
  'date-time': isDateTime,
  date: isDate,
  time: isTime,
  ipv4: isIPv4,
  ipv6: isIPv6,
  uuid: (s) => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s),
};

function isDateTime(s: string): boolean {
  if (s.length < 20 || (s[10] !== 'T' && s[10] !== 't')) return false;
  return isDate(s.slice(0, 10)) && isTime(s.slice(11));
}

/** Go's time.Parse("2006-01-02"): exactly these digits, and a day that exists. */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** strconv.Atoi: an optional sign, then decimal digits. */
function atoi(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

function isTime(str: string): boolean {
  if (str.length < 9 || str[2] !== ':' || str[5] !== ':') return false;
  const hms = str.slice(0, 8).split(':').map(atoi);
  if (hms.length !== 3 || hms.some((n) => n === undefined || n < 0)) return false;
  let [h, m] = hms as [number, number, number];
  const sec = hms[2]!;
  if (h > 23 || m > 59 || sec > 60) return false;
  let rest = str.slice(8);
  if (rest.startsWith('.')) {
    const digits = /^\d*/.exec(rest.slice(1))![0].length;
    if (digits === 0) return false;
    rest = rest.slice(1 + digits);
  }
  if (rest !== 'z' && rest !== 'Z') {
    if (rest.length !== 6 || (rest[0] !== '+' && rest[0] !== '-') || rest[3] !== ':') return false;
    const zone = rest.slice(1).split(':').map(atoi);
    if (zone.some((n) => n === undefined || n < 0)) return false;
    const [zh, zm] = zone as [number, number];
    if (zh > 23 || zm > 59) return false;
    // To UTC, where a leap second must fall.
    let minutes = h * 60 + m + (rest[0] === '+' ? -1 : 1) * (zh * 60 + zm);
    if (minutes < 0) minutes += 24 * 60;
    [h, m] = [Math.floor(minutes / 60), minutes % 60];
  }
  return !(sec >= 60 && (h !== 23 || m !== 59));
}

function isIPv4(s: string): boolean {
  const groups = s.split('.');
  return groups.length === 4 && groups.every((g) => !(g.length > 1 && g[0] === '0') && atoi(g) !== undefined && Number(g) >= 0 && Number(g) <= 255);
}

/** netip.ParseAddr, IPv6 forms: hex groups, one `::`, an optional trailing dotted quad, no zone. */
function isIPv6(s: string): boolean {
  if (!s.includes(':') || s.includes('%')) return false;
  let body = s;
  let groupsNeeded = 8;
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    const quad = tail.split('.');
    if (quad.length !== 4 || quad.some((g) => !/^\d{1,3}$/.test(g) || (g.length > 1 && g[0] === '0') || Number(g) > 255)) return false;
    body = body.slice(0, lastColon + 1) + '0:0';
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const all = halves.flatMap(groups);
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length < groupsNeeded : all.length === groupsNeeded;
}
