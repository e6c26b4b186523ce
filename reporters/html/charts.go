package html

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/reporters"
	"github.com/heval-dev/heval/reporters/internal/format"
)

// series styles: colours far apart in lightness, each with its own pattern, so that the
// series stay apart in greyscale print.
var seriesStyles = []struct{ Color, Pattern string }{
	{"#1b3a6b", ""},
	{"#e69f00", "hatch"},
	{"#2a9d8f", "dots"},
	{"#9b2c6f", "cross"},
	{"#6b6b6b", "hatch"},
	{"#56b4e9", "dots"},
}

type seriesStyle struct {
	ID, Color, Pattern, Label string
	// Fill is the colour or the pattern reference.
	Fill string
	// Legend position.
	LX, LY string
}

// styles gives each series the style of its group: colour[group] indexes the styles, so a
// group looks the same in every chart of a page.
func styles(chartID string, labels, groups []string, colour map[string]int) []seriesStyle {
	out := make([]seriesStyle, len(labels))
	for i, l := range labels {
		n, ok := colour[groups[i]]
		if !ok {
			n = i
		}
		st := seriesStyles[n%len(seriesStyles)]
		s := seriesStyle{ID: fmt.Sprintf("%s-p%d", chartID, i), Color: st.Color, Pattern: st.Pattern, Label: l}
		if s.Pattern == "" {
			s.Fill = s.Color
		} else {
			s.Fill = "url(#" + s.ID + ")"
		}
		out[i] = s
	}
	return out
}

type rect struct {
	X, Y, W, H, Fill, Title string
}

type tick struct {
	X, Y, X2, Y2, Label string
}

type histChart struct {
	ID, Title, Desc, XLabel, YLabel string
	W, H                            int
	Left, Top, Right, Bottom        string
	Series                          []seriesStyle
	Bars                            []rect
	XTicks, YTicks                  []tick
}

func f1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

const (
	chartW, chartH                       = 720, 280
	marginL, marginR, marginT, marginB   = 56, 16, 36, 48
	maxIntegerBins, defaultBins, maxBins = 30, 20, 20
)

// histogram draws one score key's distribution, one series per group, each as the share of
// its group's values per bin.
func histogram(id, evaluator, key string, keys []*reporters.KeyStats, colour map[string]int) histChart {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, k := range keys {
		if k.N > 0 {
			lo, hi = math.Min(lo, k.Min), math.Max(hi, k.Max)
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 0
	}
	// bins over integers: [start, start+width)
	span := hi - lo + 1
	width := 1.0
	nbins := int(span)
	if span > maxIntegerBins {
		width = math.Ceil(span / defaultBins)
		nbins = int(math.Ceil(span / width))
	}
	nbins = max(1, min(nbins, maxBins*2))
	labels, groups := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		labels[i], groups[i] = fmt.Sprintf("%s (n=%d)", k.Group, k.N), k.Group
	}
	c := histChart{
		ID: id, W: chartW, H: chartH + 22*((len(keys)+2)/3),
		Title:  fmt.Sprintf("Distribution of %s (%s)", key, evaluator),
		XLabel: key + " value", YLabel: "share of values (%)",
		Series: styles(id, labels, groups, colour),
	}
	plotB := float64(chartH - marginB)
	c.Left, c.Top, c.Right, c.Bottom = strconv.Itoa(marginL), strconv.Itoa(marginT), strconv.Itoa(chartW-marginR), f1(plotB)
	shares := make([][]float64, len(keys))
	counts := make([][]int, len(keys))
	maxShare := 0.0
	for i, k := range keys {
		counts[i] = make([]int, nbins)
		// Values that cannot be read back draw no bars; the report's error list names the
		// key (see reporters.ErrorKindReport).
		vcs, _ := k.ValueCounts()
		for _, vc := range vcs {
			b := int((float64(vc.Value) - lo) / width)
			counts[i][min(max(b, 0), nbins-1)] += vc.Count
		}
		shares[i] = make([]float64, nbins)
		for b, n := range counts[i] {
			if k.N > 0 {
				shares[i][b] = 100 * float64(n) / float64(k.N)
			}
			maxShare = math.Max(maxShare, shares[i][b])
		}
	}
	top := math.Max(10, math.Ceil(maxShare/10)*10)
	plotW := float64(chartW - marginL - marginR)
	plotH := plotB - marginT
	binW := plotW / float64(nbins)
	barW := binW * 0.85 / float64(max(1, len(keys)))
	binLabel := func(b int) string {
		start := lo + float64(b)*width
		if width == 1 {
			return format.Num(start)
		}
		return format.Num(start) + "–" + format.Num(start+width-1)
	}
	for b := range nbins {
		x0 := float64(marginL) + float64(b)*binW + binW*0.075
		for i := range keys {
			h := shares[i][b] / top * plotH
			c.Bars = append(c.Bars, rect{
				X: f1(x0 + float64(i)*barW), Y: f1(plotB - h), W: f1(math.Max(barW-1, 0.5)), H: f1(h),
				Fill:  c.Series[i].Fill,
				Title: fmt.Sprintf("%s, %s %s: %d of %d (%s%%)", keys[i].Group, key, binLabel(b), counts[i][b], keys[i].N, format.Num(shares[i][b])),
			})
		}
	}
	step := max(1, (nbins+9)/10)
	for b := 0; b < nbins; b += step {
		x := float64(marginL) + (float64(b)+0.5)*binW
		c.XTicks = append(c.XTicks, tick{X: f1(x), Y: f1(plotB + 16), Label: binLabel(b)})
	}
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := plotB - v/top*plotH
		c.YTicks = append(c.YTicks, tick{X: strconv.Itoa(marginL - 6), Y: f1(y), X2: strconv.Itoa(chartW - marginR), Label: format.Num(v)})
	}
	for i := range c.Series {
		c.Series[i].LX = strconv.Itoa(marginL + (i%3)*220)
		c.Series[i].LY = strconv.Itoa(chartH + 4 + (i/3)*22)
	}
	desc := fmt.Sprintf("Histogram of %s with %d bins from %s to %s.", key, nbins, format.Num(lo), format.Num(hi))
	for _, k := range keys {
		desc += fmt.Sprintf(" %s: n %d, mean %s, median %s.", k.Group, k.N, format.Num(k.Mean), format.Num(k.P50))
	}
	c.Desc = desc
	return c
}

type passBar struct {
	Y, W, TextX, TextY, LabelY, Fill, Label, Value string
}

type passChart struct {
	ID, Title, Desc string
	W, H            int
	Left, Right     string
	Series          []seriesStyle
	Bars            []passBar
	Ticks           []tick
	Bottom          string
}

// passRates draws one boolean key's pass rate per group as horizontal bars with direct
// labels.
func passRates(id, evaluator, key string, keys []*reporters.KeyStats, colour map[string]int) passChart {
	const left, right, rowH = 180, 600, 30
	labels := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = k.Group
	}
	c := passChart{ID: id, W: 720, Title: fmt.Sprintf("Pass rate of %s (%s)", key, evaluator),
		Left: strconv.Itoa(left), Right: strconv.Itoa(right), Series: styles(id, labels, labels, colour)}
	c.H = 20 + rowH*len(keys) + 30
	bottom := 10 + rowH*len(keys)
	c.Bottom = strconv.Itoa(bottom)
	desc := "Share of true values per group."
	for i, k := range keys {
		y := 10 + i*rowH
		rate := k.PassRate
		if math.IsNaN(rate) {
			rate = 0
		}
		passed := int(math.Round(rate * float64(k.N)))
		val := fmt.Sprintf("%s (%d/%d)", format.Percent(k.PassRate), passed, k.N)
		c.Bars = append(c.Bars, passBar{
			Y: strconv.Itoa(y + 4), W: f1(rate * (right - left)), TextX: f1(left + rate*(right-left) + 6),
			TextY: strconv.Itoa(y + 19), LabelY: strconv.Itoa(y + 19), Fill: c.Series[i].Fill,
			Label: reporters.Truncate(k.Group, 24), Value: val,
		})
		desc += fmt.Sprintf(" %s: %s.", k.Group, val)
	}
	for i := 0; i <= 4; i++ {
		x := left + float64(right-left)*float64(i)/4
		c.Ticks = append(c.Ticks, tick{X: f1(x), Y: strconv.Itoa(bottom + 16), Y2: strconv.Itoa(bottom), Label: strconv.Itoa(25*i) + "%"})
	}
	c.Desc = desc
	return c
}

type whisker struct {
	Title, Desc                  string
	W, H                         int
	Zero, Lo, Hi, Point, Y, AxLo string
	AxHi, AxLoLabel, AxHiLabel   string
	Regression, Improvement      bool
	Valid                        bool
}

// interval draws one comparison's difference and interval on its own symmetric axis
// around zero.
func interval(c *reporters.KeyComparison) whisker {
	const w, h, pad = 260, 40, 14
	wk := whisker{W: w, H: h, Y: "14", Regression: c.Regression, Improvement: c.Improvement,
		Title: fmt.Sprintf("%s %s: difference %s, interval %s", c.Evaluator, c.Key, format.Diff(c, c.Diff), format.Interval(c))}
	if math.IsNaN(c.Diff) || math.IsNaN(c.Low) || math.IsNaN(c.High) {
		return wk
	}
	wk.Valid = true
	ext := math.Max(math.Abs(c.Low), math.Max(math.Abs(c.High), math.Abs(c.Diff))) * 1.15
	if ext == 0 {
		ext = 1
	}
	scale := func(x float64) string { return f1(pad + (x+ext)/(2*ext)*(w-2*pad)) }
	wk.Zero, wk.Lo, wk.Hi, wk.Point = scale(0), scale(c.Low), scale(c.High), scale(c.Diff)
	wk.AxLo, wk.AxHi = scale(-ext), scale(ext)
	mult := 1.0
	if c.Type == heval.Boolean {
		mult = 100
	}
	wk.AxLoLabel, wk.AxHiLabel = format.Signed(-ext*mult), format.Signed(ext*mult)
	wk.Desc = fmt.Sprintf("Axis from %s to %s; zero marked by a dashed line.", wk.AxLoLabel, wk.AxHiLabel)
	return wk
}

// keyGroups collects, per (evaluator, key), the statistics of every group in group order.
func keyGroups(agg *reporters.Aggregate) []keyGroup {
	var out []keyGroup
	idx := map[[2]string]int{}
	for _, es := range agg.Stats {
		for _, k := range es.Keys {
			id := [2]string{es.Evaluator, k.Key}
			i, ok := idx[id]
			if !ok {
				i = len(out)
				idx[id] = i
				out = append(out, keyGroup{Evaluator: es.Evaluator, Key: k.Key, Type: k.Type})
			}
			out[i].Keys = append(out[i].Keys, k)
			if k.Type != out[i].Type {
				out[i].Type = heval.Number
			}
		}
	}
	order := map[string]int{}
	for i, e := range agg.Evaluators {
		order[e] = i
	}
	slices.SortStableFunc(out, func(a, b keyGroup) int {
		if d := order[a.Evaluator] - order[b.Evaluator]; d != 0 {
			return d
		}
		if a.Key < b.Key {
			return -1
		}
		if a.Key > b.Key {
			return 1
		}
		return 0
	})
	return out
}

type keyGroup struct {
	Evaluator, Key string
	Type           heval.ValueType
	Keys           []*reporters.KeyStats
}
