package bot

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/plot"
)

// barPixels counts the pixels of img in the bar colour.
func barPixels(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == chartBar.R && uint8(g>>8) == chartBar.G && uint8(bl>>8) == chartBar.B {
				n++
			}
		}
	}
	return n
}

func TestMentionsChart(t *testing.T) {
	last := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	busy := make([]int, 30)
	busy[29], busy[10], busy[0] = 40, 3, 1
	tests := []struct {
		name  string
		daily []int
		bars  bool
	}{
		{"mentions", busy, true},
		{"none", make([]int, 30), false},
		{"one day", []int{7}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := mentionsChart(tc.daily, last)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 300 {
				t.Errorf("size %v, want 800×300", b)
			}
			if got := barPixels(img) > 0; got != tc.bars {
				t.Errorf("bars drawn = %v, want %v", got, tc.bars)
			}
		})
	}
	if _, err := mentionsChart(nil, last); !errors.Is(err, errNoDays) {
		t.Errorf("empty series: error %v, want errNoDays", err)
	}
}

func TestDayTicks(t *testing.T) {
	last := time.Date(2025, 11, 25, 23, 0, 0, 0, time.UTC)
	got := dayTicks(30, last)
	want := plot.ConstantTicks{
		{Value: 29, Label: "25 Nov"}, {Value: 22, Label: "18 Nov"}, {Value: 15, Label: "11 Nov"},
		{Value: 8, Label: "04 Nov"}, {Value: 1, Label: "28 Oct"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("dayTicks = %v, want %v", got, want)
	}
}

func TestCountTicks(t *testing.T) {
	tests := []struct {
		top  float64
		want []float64
	}{
		{1, []float64{0, 1}},
		{4.4, []float64{0, 1, 2, 3, 4}},
		{9, []float64{0, 2, 4, 6, 8}},
		{44, []float64{0, 10, 20, 30, 40}},
		{1100, []float64{0, 500, 1000}},
	}
	for _, tc := range tests {
		var got []float64
		for _, tick := range countTicks(0, tc.top) {
			got = append(got, tick.Value)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("countTicks(%v) = %v, want %v", tc.top, got, tc.want)
		}
	}
}
