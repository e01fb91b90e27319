using StreamFlow.Core.Scoring.Governance;

namespace StreamFlow.UnitTests.Scoring;

public sealed class GovernanceMathTests
{
    [Fact]
    public void The_same_population_is_stable_and_a_new_mix_is_shifted()
    {
        var training = new Dictionary<string, long> { ["Google"] = 500, ["Reference"] = 300, ["Direct"] = 200 };
        var same = new Dictionary<string, long> { ["Google"] = 50, ["Reference"] = 30, ["Direct"] = 20 };
        var moved = new Dictionary<string, long> { ["Google"] = 10, ["Reference"] = 10, ["Facebook"] = 80 };

        Assert.Equal(0, GovernanceMath.PopulationStability(training, same), 6);
        Assert.True(GovernanceMath.PopulationStability(training, moved) > 0.25);
    }

    [Fact]
    public void Stability_matches_the_textbook_formula()
    {
        var expected = new Dictionary<string, long> { ["a"] = 50, ["b"] = 50 };
        var actual = new Dictionary<string, long> { ["a"] = 70, ["b"] = 30 };
        var manual = (0.7 - 0.5) * Math.Log(0.7 / 0.5) + (0.3 - 0.5) * Math.Log(0.3 / 0.5);

        Assert.Equal(manual, GovernanceMath.PopulationStability(expected, actual), 9);
    }

    [Fact]
    public void Calibration_error_is_zero_when_scores_are_the_conversion_rate_and_large_when_they_are_not()
    {
        var probabilities = Enumerable.Repeat(0.25, 100).ToList();
        var converted = Enumerable.Range(0, 100).Select(i => i % 4 == 0).ToList();
        var overconfident = Enumerable.Repeat(0.95, 100).ToList();

        Assert.Equal(0, GovernanceMath.CalibrationError(probabilities, converted), 9);
        Assert.Equal(0.70, GovernanceMath.CalibrationError(overconfident, converted), 9);
    }

    [Fact]
    public void Disparity_is_the_lowest_rate_over_the_highest()
    {
        Assert.Equal(0.5, GovernanceMath.DisparityRatio([0.2, 0.4, 0.3]));
        Assert.Null(GovernanceMath.DisparityRatio([0.3]));
        Assert.Null(GovernanceMath.DisparityRatio([0, 0]));
    }
}
