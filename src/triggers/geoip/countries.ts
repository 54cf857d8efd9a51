/**
 * Country data for `event.request.geoip` when the database has only a country code (DB-IP Lite): ISO 3166-1
 * alpha-2 → alpha-3, continent code, and the English name as MaxMind's GeoIP2 spells it (what Auth0 reports).
 * One row per line: `alpha-2 alpha-3 continent name`. XK (Kosovo) is user-assigned; XKX is its customary alpha-3.
 */

/** What a two-letter country code implies. */
export interface CountryFacts {
  countryCode3: string;
  continentCode: string;
  countryName: string;
}

const ROWS = `
AD AND EU Andorra
AE ARE AS United Arab Emirates
AF AFG AS Afghanistan
AG ATG NA Antigua and Barbuda
AI AIA NA Anguilla
AL ALB EU Albania
AM ARM AS Armenia
AO AGO AF Angola
AQ ATA AN Antarctica
AR ARG SA Argentina
AS ASM OC American Samoa
AT AUT EU Austria
AU AUS OC Australia
AW ABW NA Aruba
AX ALA EU Åland Islands
AZ AZE AS Azerbaijan
BA BIH EU Bosnia and Herzegovina
BB BRB NA Barbados
BD BGD AS Bangladesh
BE BEL EU Belgium
BF BFA AF Burkina Faso
BG BGR EU Bulgaria
BH BHR AS Bahrain
BI BDI AF Burundi
BJ BEN AF Benin
BL BLM NA Saint Barthélemy
BM BMU NA Bermuda
BN BRN AS Brunei
BO BOL SA Bolivia
BQ BES NA Bonaire, Sint Eustatius and Saba
BR BRA SA Brazil
BS BHS NA Bahamas
BT BTN AS Bhutan
BV BVT AN Bouvet Island
BW BWA AF Botswana
BY BLR EU Belarus
BZ BLZ NA Belize
CA CAN NA Canada
CC CCK AS Cocos (Keeling) Islands
CD COD AF Congo (DRC)
CF CAF AF Central African Republic
CG COG AF Congo Republic
CH CHE EU Switzerland
CI CIV AF Ivory Coast
CK COK OC Cook Islands
CL CHL SA Chile
CM CMR AF Cameroon
CN CHN AS China
CO COL SA Colombia
CR CRI NA Costa Rica
CU CUB NA Cuba
CV CPV AF Cabo Verde
CW CUW NA Curaçao
CX CXR OC Christmas Island
CY CYP EU Cyprus
CZ CZE EU Czechia
DE DEU EU Germany
DJ DJI AF Djibouti
DK DNK EU Denmark
DM DMA NA Dominica
DO DOM NA Dominican Republic
DZ DZA AF Algeria
EC ECU SA Ecuador
EE EST EU Estonia
EG EGY AF Egypt
EH ESH AF Western Sahara
ER ERI AF Eritrea
ES ESP EU Spain
ET ETH AF Ethiopia
FI FIN EU Finland
FJ FJI OC Fiji
FK FLK SA Falkland Islands
FM FSM OC Federated States of Micronesia
FO FRO EU Faroe Islands
FR FRA EU France
GA GAB AF Gabon
GB GBR EU United Kingdom
GD GRD NA Grenada
GE GEO AS Georgia
GF GUF SA French Guiana
GG GGY EU Guernsey
GH GHA AF Ghana
GI GIB EU Gibraltar
GL GRL NA Greenland
GM GMB AF Gambia
GN GIN AF Guinea
GP GLP NA Guadeloupe
GQ GNQ AF Equatorial Guinea
GR GRC EU Greece
GS SGS AN South Georgia and the South Sandwich Islands
GT GTM NA Guatemala
GU GUM OC Guam
GW GNB AF Guinea-Bissau
GY GUY SA Guyana
HK HKG AS Hong Kong
HM HMD AN Heard and McDonald Islands
HN HND NA Honduras
HR HRV EU Croatia
HT HTI NA Haiti
HU HUN EU Hungary
ID IDN AS Indonesia
IE IRL EU Ireland
IL ISR AS Israel
IM IMN EU Isle of Man
IN IND AS India
IO IOT AS British Indian Ocean Territory
IQ IRQ AS Iraq
IR IRN AS Iran
IS ISL EU Iceland
IT ITA EU Italy
JE JEY EU Jersey
JM JAM NA Jamaica
JO JOR AS Jordan
JP JPN AS Japan
KE KEN AF Kenya
KG KGZ AS Kyrgyzstan
KH KHM AS Cambodia
KI KIR OC Kiribati
KM COM AF Comoros
KN KNA NA Saint Kitts and Nevis
KP PRK AS North Korea
KR KOR AS South Korea
KW KWT AS Kuwait
KY CYM NA Cayman Islands
KZ KAZ AS Kazakhstan
LA LAO AS Laos
LB LBN AS Lebanon
LC LCA NA Saint Lucia
LI LIE EU Liechtenstein
LK LKA AS Sri Lanka
LR LBR AF Liberia
LS LSO AF Lesotho
LT LTU EU Lithuania
LU LUX EU Luxembourg
LV LVA EU Latvia
LY LBY AF Libya
MA MAR AF Morocco
MC MCO EU Monaco
MD MDA EU Moldova
ME MNE EU Montenegro
MF MAF NA Saint Martin
MG MDG AF Madagascar
MH MHL OC Marshall Islands
MK MKD EU North Macedonia
ML MLI AF Mali
MM MMR AS Myanmar
MN MNG AS Mongolia
MO MAC AS Macao
MP MNP OC Northern Mariana Islands
MQ MTQ NA Martinique
MR MRT AF Mauritania
MS MSR NA Montserrat
MT MLT EU Malta
MU MUS AF Mauritius
MV MDV AS Maldives
MW MWI AF Malawi
MX MEX NA Mexico
MY MYS AS Malaysia
MZ MOZ AF Mozambique
NA NAM AF Namibia
NC NCL OC New Caledonia
NE NER AF Niger
NF NFK OC Norfolk Island
NG NGA AF Nigeria
NI NIC NA Nicaragua
NL NLD EU Netherlands
NO NOR EU Norway
NP NPL AS Nepal
NR NRU OC Nauru
NU NIU OC Niue
NZ NZL OC New Zealand
OM OMN AS Oman
PA PAN NA Panama
PE PER SA Peru
PF PYF OC French Polynesia
PG PNG OC Papua New Guinea
PH PHL AS Philippines
PK PAK AS Pakistan
PL POL EU Poland
PM SPM NA Saint Pierre and Miquelon
PN PCN OC Pitcairn Islands
PR PRI NA Puerto Rico
PS PSE AS Palestine
PT PRT EU Portugal
PW PLW OC Palau
PY PRY SA Paraguay
QA QAT AS Qatar
RE REU AF Réunion
RO ROU EU Romania
RS SRB EU Serbia
RU RUS EU Russia
RW RWA AF Rwanda
SA SAU AS Saudi Arabia
SB SLB OC Solomon Islands
SC SYC AF Seychelles
SD SDN AF Sudan
SE SWE EU Sweden
SG SGP AS Singapore
SH SHN AF St. Helena
SI SVN EU Slovenia
SJ SJM EU Svalbard and Jan Mayen
SK SVK EU Slovakia
SL SLE AF Sierra Leone
SM SMR EU San Marino
SN SEN AF Senegal
SO SOM AF Somalia
SR SUR SA Suriname
SS SSD AF South Sudan
ST STP AF São Tomé and Príncipe
SV SLV NA El Salvador
SX SXM NA Sint Maarten
SY SYR AS Syria
SZ SWZ AF Eswatini
TC TCA NA Turks and Caicos Islands
TD TCD AF Chad
TF ATF AN French Southern Territories
TG TGO AF Togo
TH THA AS Thailand
TJ TJK AS Tajikistan
TK TKL OC Tokelau
TL TLS OC Timor-Leste
TM TKM AS Turkmenistan
TN TUN AF Tunisia
TO TON OC Tonga
TR TUR AS Türkiye
TT TTO NA Trinidad and Tobago
TV TUV OC Tuvalu
TW TWN AS Taiwan
TZ TZA AF Tanzania
UA UKR EU Ukraine
UG UGA AF Uganda
UM UMI OC United States Minor Outlying Islands
US USA NA United States
UY URY SA Uruguay
UZ UZB AS Uzbekistan
VA VAT EU Vatican City
VC VCT NA Saint Vincent and the Grenadines
VE VEN SA Venezuela
VG VGB NA British Virgin Islands
VI VIR NA U.S. Virgin Islands
VN VNM AS Vietnam
VU VUT OC Vanuatu
WF WLF OC Wallis and Futuna
WS WSM OC Samoa
XK XKX EU Kosovo
YE YEM AS Yemen
YT MYT AF Mayotte
ZA ZAF AF South Africa
ZM ZMB AF Zambia
ZW ZWE AF Zimbabwe
`;

/** Keyed by upper-case ISO 3166-1 alpha-2 code. */
export const COUNTRIES: ReadonlyMap<string, CountryFacts> = new Map(
  ROWS.trim()
    .split('\n')
    .map((row): [string, CountryFacts] => {
      const [code = '', countryCode3 = '', continentCode = '', ...name] = row.split(' ');
      return [code, { countryCode3, continentCode, countryName: name.join(' ') }];
    }),
);
