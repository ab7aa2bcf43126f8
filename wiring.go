package main

import (
	"storyline/config"
	"storyline/feeds"
)

// sources lists the configured feeds for the scheduler.
func sources(cfg *config.Config) []feeds.Source {
	out := make([]feeds.Source, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		out[i] = feeds.Source{Name: f.Name, URL: f.URL, Interval: f.Interval.Duration, Adapt: f.Adapt}
	}
	return out
}

// newFetcher builds the one HTTP fetcher from the config's limits.
func newFetcher(cfg *config.Config) *feeds.Fetcher {
	return feeds.NewFetcher(feeds.Options{
		Timeout:      cfg.Fetch.Timeout.Duration,
		MaxBytes:     cfg.Fetch.MaxBytes,
		UserAgent:    cfg.Fetch.UserAgent,
		AllowPrivate: cfg.Fetch.AllowPrivate,
	})
}

// schedulerOptions maps the [poll] settings to the scheduler's options.
// The bytes parsed at once are bounded by one feed of the largest size
// fetched.
func schedulerOptions(cfg *config.Config) feeds.SchedulerOptions {
	return feeds.SchedulerOptions{
		Concurrency: cfg.Poll.Concurrency,
		PerHost:     cfg.Poll.PerHost,
		Jitter:      cfg.Poll.Jitter,
		MinInterval: cfg.Poll.MinInterval.Duration,
		MaxInterval: cfg.Poll.MaxInterval.Duration,
		ParseBudget: cfg.Fetch.MaxBytes,
	}
}
