module gz-profile/bench/suites/go

go 1.19
