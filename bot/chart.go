package bot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The mentions chart attached to /actor answers.
const (
	// chartFile is the attachment's name; the embed shows it as
	// attachment://mentions.png.
	chartFile = "mentions.png"
	// chartWidth and chartHeight are its size at chartDPI: 800 × 300 px.
	chartWidth  = 8 * vg.Inch
	chartHeight = 3 * vg.Inch
	chartDPI    = 100
	// chartTickDays is the spacing of the date labels.
	chartTickDays = 7
)

// chartBar is the colour of the bars, Discord's blurple.
var chartBar = color.RGBA{R: 0x58, G: 0x65, B: 0xf2, A: 0xff}

// errNoDays is returned by mentionsChart for an empty series.
var errNoDays = errors.New("chart: no days to draw")

// mentionsChart draws daily mention counts (oldest first; the last is the
// UTC day of last) as a bar chart and returns it as a PNG. It uses only
// fonts compiled into the program. The PNG is compressed for speed: a
// chart is mostly flat colour, so the smallest setting costs few bytes.
func mentionsChart(daily []int, last time.Time) ([]byte, error) {
	canvas, err := drawChart(daily, last)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, canvas.Image()); err != nil {
		return nil, fmt.Errorf("chart: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// drawChart draws the chart of mentionsChart on a new canvas.
func drawChart(daily []int, last time.Time) (*vgimg.Canvas, error) {
	if len(daily) == 0 {
		return nil, errNoDays
	}
	values := make(plotter.Values, len(daily))
	top := 0
	for i, n := range daily {
		values[i] = float64(n)
		top = max(top, n)
	}
	bars, err := plotter.NewBarChart(values, vg.Points(chartWidth.Points()/float64(len(daily))*0.6))
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	bars.Color = chartBar
	bars.LineStyle.Width = 0
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Mentions per day, last %d days (UTC)", len(daily))
	p.Add(plotter.NewGrid(), bars)
	p.X.Min, p.X.Max = -0.5, float64(len(daily))-0.5
	p.X.Tick.Marker = dayTicks(len(daily), last)
	p.Y.Min, p.Y.Max = 0, math.Max(1, float64(top)*1.1)
	p.Y.Tick.Marker = plot.TickerFunc(countTicks)
	p.Y.Label.Text = "mentions"
	canvas := vgimg.NewWith(vgimg.UseWH(chartWidth, chartHeight), vgimg.UseDPI(chartDPI))
	p.Draw(draw.New(canvas))
	return canvas, nil
}

// dayTicks labels every chartTickDays-th day, counting back from the last
// of n days (the day of last), with its date.
func dayTicks(n int, last time.Time) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for i := n - 1; i >= 0; i -= chartTickDays {
		day := last.UTC().AddDate(0, 0, i-(n-1))
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: day.Format("02 Jan")})
	}
	return ticks
}

// countTicks marks whole numbers from zero to top, at most about six.
func countTicks(_, top float64) []plot.Tick {
	step := tickStep(top)
	var ticks []plot.Tick
	for v := 0.0; v <= top; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
	}
	return ticks
}

// tickStep is the smallest of 1, 2, 5, 10, 20, 50 … that divides top into
// at most five steps.
func tickStep(top float64) float64 {
	for mag := 1.0; ; mag *= 10 {
		for _, m := range [...]float64{1, 2, 5} {
			if top/(m*mag) <= 5 {
				return m * mag
			}
		}
	}
}
