package web

// CellText is cellText, for the tests of package web_test.
var CellText = cellText
