* Writes alliance-pspp.sav (bytecode-compressed) and alliance-pspp.zsav with GNU PSPP, an SPSS writer other than
* haven: run "pspp make-pspp-fixtures.sps" in this folder, then "Rscript make-spss-fixtures.R" writes haven's view
* of both files (*.haven.json) for SavReaderTests.
DATA LIST LIST /client_id (A8) session (F2.0) wai1 (F2.0) wai2 (F2.0) therapist_identifier (A12).
BEGIN DATA
"Zoë" 1 1 5 "t1"
"c2" 2 99 4 "t1"
"c3" 1 3 97 "t2"
"c4" 2 4 . "t2"
END DATA.
VARIABLE LABELS session "Session number" /wai1 "Alliance item 1".
VALUE LABELS wai1 wai2 1 "Seldom" 2 "Sometimes" 3 "Fairly often" 4 "Very often" 5 "Always".
MISSING VALUES wai1 (99) /wai2 (97 THRU 98).
SAVE OUTFILE="alliance-pspp.sav" /COMPRESSED.
SAVE OUTFILE="alliance-pspp.zsav" /ZCOMPRESSED.
