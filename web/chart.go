package web

import (
	"fmt"
	"math"
)

// A chart is SVG drawn on the server: shapes with their positions and a
// title each (read out by screen readers, shown on hover), and the chart's
// own title and description. The page template writes it, so every label
// from the data is escaped as text. Colours come from classes in the
// stylesheet: the CSP allows no inline style.
type chart struct {
	Title, Desc string
	W, H        float64
	Rects       []rect
	Ticks       []tick
}

type rect struct {
	X, Y, W, H float64
	Class      string
	Label      string
}

type tick struct {
	X, Y  float64
	Text  string
	Class string
}

// series is one stack of bars: a slot per label, a value per slot.
type series struct {
	Class  string
	Name   string
	Values []float64
}

// stacked draws one bar per label with the series stacked in order,
// scaled to the tallest stack (or to max when it is larger, e.g. 1 for rates).
func stacked(title, desc string, labels []string, ss []series, w, h, max float64, format func(float64) string) chart {
	c := chart{Title: title, Desc: desc, W: w, H: h}
	top := max
	for i := range labels {
		sum := 0.0
		for _, s := range ss {
			sum += s.Values[i]
		}
		top = math.Max(top, sum)
	}
	if len(labels) == 0 || top <= 0 {
		return c
	}
	slot := w / float64(len(labels))
	gap := math.Min(2, slot/4)
	for i, l := range labels {
		y := h
		for _, s := range ss {
			v := s.Values[i]
			if v <= 0 {
				continue
			}
			bh := math.Max(v/top*h, 1)
			y -= bh
			label := l + ": " + format(v)
			if s.Name != "" {
				label = l + ": " + s.Name + " " + format(v)
			}
			c.Rects = append(c.Rects, rect{X: round(float64(i)*slot + gap/2), Y: round(y), W: round(slot - gap), H: round(bh), Class: s.Class, Label: label})
		}
	}
	return c
}

func round(f float64) float64 { return math.Round(f*10) / 10 }

func percent(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func count(f float64) string { return fmt.Sprintf("%.0f", f) }
