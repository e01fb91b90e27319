using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Governance;
using StreamFlow.Core.Scoring.Model;

namespace StreamFlow.UnitTests.Scoring;

public sealed class ConversionModelTests(SyntheticModelFixture fixture) : IClassFixture<SyntheticModelFixture>
{
    private static readonly ConversionModelTrainer Trainer = new(TimeProvider.System);

    [Fact]
    public void Too_few_outcomes_is_a_not_enough_outcomes_problem()
    {
        var examples = SyntheticLeads.Create(199);

        var result = Trainer.Train(examples, SyntheticLeads.FastOptions, CancellationToken.None);

        Assert.Equal(ProblemKind.Unprocessable, result.Problem!.Kind);
        Assert.StartsWith("Not enough outcomes", result.Problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Fewer_than_50_of_a_class_is_not_enough_either()
    {
        var all = SyntheticLeads.Create(1_000);
        var examples = all.Where(e => !e.Converted).Take(250).Concat(all.Where(e => e.Converted).Take(40)).ToArray();

        var result = Trainer.Train(examples, SyntheticLeads.FastOptions, CancellationToken.None);

        Assert.Contains("outcomes", result.Problem!.Errors!.Keys);
    }

    [Fact]
    public void The_model_learns_from_numbers_categories_and_yes_no_values_without_knowing_their_names()
    {
        Assert.True(fixture.Model.Report.Auc > 0.75, $"validation AUC {fixture.Model.Report.Auc}");
        Assert.Equal(["Lead Source", "Opted In", "Plan", "Visits"], fixture.Model.Features.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Identifier_like_text_and_constant_columns_are_dropped_with_a_reason()
    {
        var dropped = fixture.Model.Report.DroppedFeatures.ToDictionary(d => d.Name, d => d.Reason);

        Assert.Contains("identifier or free text", dropped["Customer Code"], StringComparison.Ordinal);
        Assert.Equal("has the same value for every lead", dropped["Region Flag"]);
    }

    [Fact]
    public void The_report_has_feature_importance_that_sums_to_one()
    {
        var importance = fixture.Model.Report.FeatureImportance;

        Assert.Equal(1, importance.Sum(f => f.Importance), 2);
        Assert.Equal("Visits", importance[0].Feature);
    }

    [Fact]
    public void A_lead_with_nothing_known_still_gets_a_probability()
    {
        var probability = fixture.Model.PredictProbability(new LeadProfile());

        Assert.InRange(probability, 0.01, 0.99);
    }

    [Fact]
    public void Explanations_name_the_column_and_the_leads_value()
    {
        var lead = new LeadProfile(Source: "Referral", Attributes: new Dictionary<string, AttributeValue>
        {
            ["Visits"] = AttributeValue.FromNumber(1520),
            ["Plan"] = AttributeValue.FromText("Basic"),
        });

        var prediction = fixture.Model.Predict(lead);

        var names = prediction.Up.Concat(prediction.Down).Select(f => f.Name).ToArray();
        Assert.Contains("Visits: 1,520", names);
        Assert.Contains("Lead Source: Referral", names);
        Assert.Contains("Plan: Basic", prediction.Down.Select(f => f.Name));
        Assert.True(prediction.Up.Count <= 3 && prediction.Down.Count <= 3);
    }

    [Fact]
    public void Explanations_add_up_to_the_prediction()
    {
        var lead = fixture.Examples[3].Lead;

        var contributions = fixture.Model.Explain(lead, out var logit);

        Assert.Equal(logit, fixture.Model.ExpectedLogit + contributions.Sum(), 6);
        Assert.Equal(fixture.Model.PredictProbability(lead), 1 / (1 + Math.Exp(-logit)), 9);
    }

    [Fact]
    public void The_report_keeps_the_training_leads_per_bin_of_each_column_and_a_shifted_population_reads_as_drift()
    {
        var training = fixture.Model.Report.TrainingPopulation!.ToDictionary(p => p.Feature, p => p.Leads);
        var loaded = ConversionModel.Load(fixture.Model.Serialize()).Value!.Report.TrainingPopulation!;

        Assert.Equal(fixture.Model.Features.Order(StringComparer.Ordinal), training.Keys.Order(StringComparer.Ordinal));
        Assert.All(training.Values, bins => Assert.Equal(fixture.Examples.Length, bins.Values.Sum()));
        Assert.Equal(fixture.Examples.Count(e => e.Lead.Attributes!["Plan"].Text == "Premium"), training["Plan"]["Premium"]);
        Assert.Equal(fixture.Examples.Count(e => !e.Lead.Attributes!.ContainsKey("Visits")), training["Visits"]["missing"]);
        Assert.Equal(training["Opted In"], loaded.Single(p => p.Feature == "Opted In").Leads);

        var same = Recent(fixture.Model.Populations(SyntheticLeads.Create(800, seed: 11).Select(e => e.Lead)));
        var shifted = Recent(fixture.Model.Populations(SyntheticLeads.Create(800, seed: 11).Select(e => e.Lead with
        {
            Attributes = new Dictionary<string, AttributeValue>(e.Lead.Attributes!) { ["Plan"] = AttributeValue.FromText("Premium"), ["Visits"] = AttributeValue.FromNumber(29) },
        })));

        Assert.All(training.Keys, feature => Assert.InRange(GovernanceMath.PopulationStability(training[feature], same[feature]), 0, 0.1));
        Assert.True(GovernanceMath.PopulationStability(training["Plan"], shifted["Plan"]) > 0.25);
        Assert.True(GovernanceMath.PopulationStability(training["Visits"], shifted["Visits"]) > 0.25);
        Assert.InRange(GovernanceMath.PopulationStability(training["Opted In"], shifted["Opted In"]), 0, 0.1);

        static Dictionary<string, IReadOnlyDictionary<string, long>> Recent(IReadOnlyList<ColumnPopulation> population) =>
            population.ToDictionary(p => p.Feature, p => p.Leads);
    }

    [Fact]
    public void A_serialized_model_loads_back_and_predicts_the_same()
    {
        var bytes = fixture.Model.Serialize();

        var loaded = ConversionModel.Load(bytes).Value!;

        Assert.Equal("conversion@7", loaded.Label);
        Assert.Equal(fixture.Model.Report.Auc, loaded.Report.Auc);
        Assert.All(fixture.Examples.Take(50), e => Assert.Equal(fixture.Model.PredictProbability(e.Lead), loaded.PredictProbability(e.Lead), 12));
        Assert.Equal(fixture.Model.Predict(fixture.Examples[0].Lead), loaded.Predict(fixture.Examples[0].Lead), new PredictionComparer());
    }

    [Fact]
    public void Bytes_that_are_not_a_model_do_not_load()
    {
        var result = ConversionModel.Load([1, 2, 3]);

        Assert.Equal(ProblemKind.Unprocessable, result.Problem!.Kind);
    }

    [Fact]
    public void Batch_prediction_matches_one_by_one_prediction()
    {
        var leads = fixture.Examples.Take(100).Select(e => e.Lead).ToArray();

        var batch = fixture.Model.PredictProbabilities(leads);

        Assert.Equal(leads.Select(fixture.Model.PredictProbability), batch);
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var examples = SyntheticLeads.Create(300, seed: 3);

        var first = Trainer.Train(examples, SyntheticLeads.FastOptions, CancellationToken.None).Value!;
        var second = Trainer.Train(examples, SyntheticLeads.FastOptions, CancellationToken.None).Value!;

        Assert.Equal(first.Report.Auc, second.Report.Auc);
        Assert.Equal(first.PredictProbability(examples[0].Lead), second.PredictProbability(examples[0].Lead));
    }

    [Fact]
    public void Copied_trees_score_exactly_as_ml_net_does()
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 400).Select(_ => new VectorRow
        {
            Features = [(float)random.NextDouble(), random.Next(0, 2), (float)(random.NextDouble() * 100)],
        }).ToArray();
        foreach (var row in rows)
        {
            row.Label = row.Features[0] + (row.Features[1] * 0.5) + (random.NextDouble() * 0.5) > 1;
        }

        var ml = new MLContext(1);
        var definition = SchemaDefinition.Create(typeof(VectorRow));
        definition[nameof(VectorRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 3);
        var data = ml.Data.LoadFromEnumerable(rows, definition);
        var trained = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options { NumberOfTrees = 20, NumberOfLeaves = 5, MinimumExampleCountPerLeaf = 5 }).Fit(data);

        var expected = trained.Transform(data).GetColumn<float>("Score").ToArray();
        var trees = TreeEnsemble.From(trained.Model.SubModel.TrainedTreeEnsemble);

        Assert.Equal(expected, rows.Select(r => (float)trees.Score(r.Features)), new FloatComparer());
    }

    [Fact]
    public async Task A_model_trained_on_the_real_training_file_validates_above_0_9()
    {
        await using var file = File.OpenRead(Path.Combine(RepositoryPaths.Root, "data", "leads", "train.csv"));
        var import = (await new LeadCsvReader().ReadAsync(
            file, new LeadCsvImportOptions { ExternalIdColumn = "Prospect ID", OutcomeColumn = "Converted" }, CancellationToken.None)).Value!;
        var examples = import.Leads.Select(l => new ConversionExample(LeadProfile.FromImported(l), l.Outcome == ImportedOutcome.Won)).ToArray();

        var model = Trainer.Train(examples, new ConversionTrainingOptions { ValidationFolds = 3, Trees = 250, LearningRate = 0.1 }, CancellationToken.None).Value!;

        Assert.True(model.Report.Auc >= 0.9, $"validation AUC {model.Report.Auc}");
        Assert.True(model.Report.HotPrecision >= 0.85, $"validation hot tier precision {model.Report.HotPrecision}");
        Assert.Contains("Total Time Spent on Website", model.Report.FeatureImportance.Take(3).Select(f => f.Feature));
    }

    private sealed class FloatComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= 1e-4f * Math.Max(1, Math.Abs(x));

        public int GetHashCode(float obj) => 0;
    }

    private sealed class PredictionComparer : IEqualityComparer<ConversionPrediction>
    {
        public bool Equals(ConversionPrediction? x, ConversionPrediction? y) =>
            x is not null && y is not null && x.Probability == y.Probability && x.Up.SequenceEqual(y.Up) && x.Down.SequenceEqual(y.Down);

        public int GetHashCode(ConversionPrediction obj) => 0;
    }

    public sealed class VectorRow
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
