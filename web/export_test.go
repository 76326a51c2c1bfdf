package web

// CellText is cellText, for the tests of package web_test.
var CellText = cellText

// TypedText is typedText, for the tests of package web_test.
var TypedText = typedText
