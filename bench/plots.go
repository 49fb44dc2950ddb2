package main

import (
	"fmt"
	"image/color"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

var (
	measuredColor = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	boundColor    = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	thirdColor    = color.RGBA{R: 44, G: 160, B: 44, A: 255}
)

// writePlots draws what the run measured; a figure that is missing (its
// phase failed or was skipped) has no plot.
func writePlots(dir string, r *Results) error {
	plots := []struct {
		file string
		draw func(*Results) (*plot.Plot, error)
		w, h vg.Length
	}{
		{"gantt.png", ganttPlot, 9 * vg.Inch, 5 * vg.Inch},
		{"scale.png", scalePlot, 7 * vg.Inch, 4.5 * vg.Inch},
		{"polling.png", pollingPlot, 7 * vg.Inch, 4.5 * vg.Inch},
	}
	for _, p := range plots {
		pl, err := p.draw(r)
		if err != nil {
			return fmt.Errorf("%s: %w", p.file, err)
		}
		if pl == nil {
			continue
		}
		if err := pl.Save(p.w, p.h, filepath.Join(dir, p.file)); err != nil {
			return err
		}
		r.Plots = append(r.Plots, p.file)
	}
	return nil
}

// ganttPlot draws each provisioning task as a bar in simulated seconds from
// the create request, under the critical path's steps from the latency model.
func ganttPlot(r *Results) (*plot.Plot, error) {
	c := r.ProvisionVsCritical
	if c == nil {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Provisioning the 3-AZ example: %.0f s measured vs %.0f s critical path", c.ProvisionSeconds, c.ProvisionBoundSeconds)
	p.X.Label.Text = "simulated seconds since POST /v1/clusters"
	var names []string
	bar := func(y int, from, to float64, col color.Color) error {
		if to-from < 1 {
			to = from + 1 // a call-only step still shows
		}
		l, err := plotter.NewLine(plotter.XYs{{X: from, Y: float64(y)}, {X: to, Y: float64(y)}})
		if err != nil {
			return err
		}
		l.Color, l.Width = col, vg.Points(9)
		p.Add(l)
		return nil
	}
	// Top to bottom: the tasks in start order, then the critical path.
	rows := len(c.ProvisionTasks) + len(c.ProvisionPathSteps)
	for i, t := range c.ProvisionTasks {
		if err := bar(rows-1-i, t.Start, t.End, measuredColor); err != nil {
			return nil, err
		}
	}
	for i, s := range c.ProvisionPathSteps {
		if err := bar(len(c.ProvisionPathSteps)-1-i, s.Start, s.End, boundColor); err != nil {
			return nil, err
		}
	}
	for i := len(c.ProvisionPathSteps) - 1; i >= 0; i-- {
		names = append(names, "bound: "+c.ProvisionPathSteps[i].Step)
	}
	for i := len(c.ProvisionTasks) - 1; i >= 0; i-- {
		names = append(names, c.ProvisionTasks[i].Name)
	}
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, 1.03*max(c.ProvisionSeconds, c.ProvisionBoundSeconds)
	p.Add(plotter.NewGrid())
	return p, nil
}

// scalePlot shows how time grows with the number of concurrent clusters.
func scalePlot(r *Results) (*plot.Plot, error) {
	if r.Scale == nil || len(r.Scale.Runs) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = "Concurrent clusters in one account (rate limits on)"
	p.X.Label.Text = "clusters created and deleted together"
	p.Y.Label.Text = "simulated seconds"
	series := []struct {
		name string
		col  color.Color
		y    func(ScaleRun) float64
	}{
		{"provision, slowest cluster", measuredColor, func(s ScaleRun) float64 { return s.ProvisionMax }},
		{"delete, slowest cluster", thirdColor, func(s ScaleRun) float64 { return s.DeleteMax }},
		{"whole run", boundColor, func(s ScaleRun) float64 { return s.SimulatedSeconds }},
	}
	for _, s := range series {
		var pts plotter.XYs
		for _, run := range r.Scale.Runs {
			pts = append(pts, plotter.XY{X: float64(run.Clusters), Y: s.y(run)})
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		l.Color, sc.Color = s.col, s.col
		p.Add(l, sc)
		p.Legend.Add(s.name, l, sc)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	return p, nil
}

// pollingPlot puts every Wait + check loop at its AWS wait length: with a
// fixed Wait interval, checks (and calls) grow linearly with the wait.
func pollingPlot(r *Results) (*plot.Plot, error) {
	if len(r.PollingBackoff) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = "Check loops: AWS calls vs how long AWS takes"
	p.X.Label.Text = "AWS transition time (s, latency model)"
	p.Y.Label.Text = "count per lifecycle"
	var calls, checks plotter.XYs
	labels := &plotter.XYLabels{}
	maxX, maxY := 0.0, 0.0
	for _, l := range r.PollingBackoff {
		maxX, maxY = max(maxX, l.AWSWaitSeconds), max(maxY, float64(l.Calls), float64(l.Checks))
		calls = append(calls, plotter.XY{X: l.AWSWaitSeconds, Y: float64(l.Calls)})
		checks = append(checks, plotter.XY{X: l.AWSWaitSeconds, Y: float64(l.Checks)})
		labels.XYs = append(labels.XYs, plotter.XY{X: l.AWSWaitSeconds, Y: float64(l.Calls)})
		labels.Labels = append(labels.Labels, " "+l.Execution+"/"+l.State)
	}
	for _, s := range []struct {
		name string
		pts  plotter.XYs
		col  color.Color
	}{{"AWS calls of the check", calls, measuredColor}, {"checks (state entries)", checks, boundColor}} {
		sc, err := plotter.NewScatter(s.pts)
		if err != nil {
			return nil, err
		}
		sc.Color = s.col
		sc.Radius = vg.Points(4)
		p.Add(sc)
		p.Legend.Add(s.name, sc)
	}
	lab, err := plotter.NewLabels(*labels)
	if err != nil {
		return nil, err
	}
	p.Add(lab)
	// Room on the right and above for the labels; the legend where no point is.
	p.X.Min, p.X.Max = 0, maxX*1.45
	p.Y.Min, p.Y.Max = 0, maxY*1.15
	p.Legend.Top, p.Legend.Left = false, false
	p.Add(plotter.NewGrid())
	return p, nil
}
