using System.Text.Json;
using StreamFlow.Core.Json;
using StreamFlow.Core.Leads.Import;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Scoring;
using StreamFlow.Core.Scoring.Rules;
using StreamFlow.Core.Templates;
using StreamFlow.Core.Tenancy;

namespace StreamFlow.UnitTests.Scoring;

public sealed class ScoringRulesTests
{
    private static readonly LeadProfile Lead = new(
        Email: "pat@example.com",
        Source: "Referral",
        Notes: "No heat since Monday, please come ASAP",
        Attributes: new Dictionary<string, AttributeValue>
        {
            ["Budget"] = AttributeValue.FromNumber(12_500),
            ["Property Type"] = AttributeValue.FromText("Homeowner"),
            ["Financing"] = AttributeValue.FromBoolean(true),
        });

    private static ScoringRuleSet Set(params ScoringRule[] rules) => new("test", 1, 50, rules);

    private static int ScoreWith(RuleCondition condition) =>
        RulesScorer.Score(Set(new ScoringRule("rule", 10, [condition])), Lead).Score;

    [Theory]
    [InlineData("source", "equals", "referral")]
    [InlineData("Property Type", "equals", "HOMEOWNER")]
    [InlineData("financing", "equals", "yes")]
    [InlineData("budget", "greaterThan", "10000")]
    [InlineData("attributes.Budget", "lessThan", "20000")]
    [InlineData("email", "exists", null)]
    [InlineData("notes", "contains", "no heat")]
    [InlineData("emailDomain", "equals", "example.com")]
    public void Each_operator_fires_on_a_matching_lead(string field, string op, string? value)
    {
        Assert.Equal(60, ScoreWith(new RuleCondition(field, op, value)));
    }

    [Theory]
    [InlineData("source", "equals", "web")]
    [InlineData("budget", "greaterThan", "20000")]
    [InlineData("budget", "lessThan", "100")]
    [InlineData("phone", "exists", null)]
    [InlineData("notes", "contains", "leak")]
    [InlineData("Square Feet", "greaterThan", "1")]
    public void A_condition_that_does_not_hold_adds_nothing(string field, string op, string? value)
    {
        Assert.Equal(50, ScoreWith(new RuleCondition(field, op, value)));
    }

    [Fact]
    public void In_matches_any_of_its_values()
    {
        Assert.Equal(60, ScoreWith(new RuleCondition("source", "in", Values: ["web", "REFERRAL"])));
    }

    [Fact]
    public void Every_condition_of_a_rule_must_hold()
    {
        var rule = new ScoringRule("both", 10, [new("source", "equals", "referral"), new("phone", "exists")]);

        Assert.Equal(50, RulesScorer.Score(Set(rule), Lead).Score);
    }

    [Fact]
    public void The_score_is_clamped_to_0_through_100_and_names_the_rules_that_fired()
    {
        var score = RulesScorer.Score(
            Set(new ScoringRule("Referred", 40, [new("source", "exists")]), new ScoringRule("Urgent", 30, [new("notes", "contains", "asap")])),
            Lead);

        Assert.Equal(100, score.Score);
        Assert.Equal([new FiredRule("Referred", 40), new FiredRule("Urgent", 30)], score.Fired);
        Assert.Equal("rules-test@1", score.RuleSet);
    }

    [Fact]
    public void An_unknown_operator_is_a_field_error()
    {
        var problem = ScoringRuleValidator.Validate(Set(new ScoringRule("x", 5, [new("source", "approximately", "web")])));

        Assert.Equal(ProblemKind.Validation, problem!.Kind);
        Assert.Contains("not an operator", Assert.Single(problem.Errors!["rules[0].when[0].operator"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_invalid_part_of_a_rule_set_is_reported_at_once()
    {
        var ruleSet = new ScoringRuleSet("", 1, 120, [
            new ScoringRule("", 0, []),
            new ScoringRule("Budget", 5, [new("budget", "greaterThan", "lots"), new("source", "in"), new("", "equals")]),
        ]);

        var errors = ScoringRuleValidator.Validate(ruleSet)!.Errors!;

        Assert.Equal(
            ["baseScore", "name", "rules[0].label", "rules[0].points", "rules[0].when", "rules[1].when[0].value", "rules[1].when[1].values", "rules[1].when[2].field", "rules[1].when[2].value"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("hvac")]
    [InlineData("plumbing")]
    [InlineData("electrical")]
    [InlineData("roofing")]
    [InlineData("landscaping")]
    [InlineData("government_contracting")]
    [InlineData("generic")]
    public void Every_default_rule_set_is_valid(string industry)
    {
        var ruleSet = DefaultRuleSets.For(industry);

        Assert.Null(ScoringRuleValidator.Validate(ruleSet));
        Assert.Equal(industry, ruleSet.Name);
    }

    [Fact]
    public void Every_industry_a_tenant_may_have_except_general_gets_a_rule_set_of_its_own()
    {
        var names = Industries.All.Where(i => i != "general").Select(i => DefaultRuleSets.For(i).Name);

        Assert.Equal(Industries.All.Where(i => i != "general"), names);
    }

    [Fact]
    public void A_government_contracting_tenant_scores_its_set_aside_rules()
    {
        var ruleSet = DefaultRuleSets.For("government_contracting");

        Assert.Contains(ruleSet.Rules, r => r.Label == "Set-aside we qualify for");
        Assert.Equal("government_contracting", DefaultRuleSets.For("government-contracting").Name);
    }

    [Fact]
    public void An_industry_without_a_rule_set_of_its_own_gets_the_generic_one()
    {
        Assert.Equal("generic", DefaultRuleSets.For("pool cleaning").Name);
    }

    [Fact]
    public void The_hvac_defaults_rate_an_urgent_referred_no_heat_lead_hot()
    {
        var score = RulesScorer.Score(DefaultRuleSets.For("hvac"), Lead);

        Assert.True(score.Score >= TierThresholds.Default.Hot, $"score {score.Score}");
        Assert.Contains(score.Fired, f => f.Label == "No heat or no cooling");
    }

    [Theory]
    [InlineData("hvac", """{"systemAgeYears": 14, "refrigerant": "R-22", "maintenancePlan": true}""", "System older than 10 years|Phase-out refrigerant (R-22)|On a maintenance plan")]
    [InlineData("plumbing", """{"emergency": true, "issueType": "Water heater", "waterHeaterAgeYears": 12}""", "Emergency|Water heater or repipe job|Water heater older than 10 years")]
    [InlineData("electrical", """{"serviceType": "Panel upgrade", "panelAmps": 100}""", "Panel or service upgrade|Panel under 200 amps")]
    [InlineData("roofing", """{"stormDamage": true, "insuranceClaim": true, "squares": 32, "roofAgeYears": 24}""", "Storm or leak damage|Insurance claim|Large roof|Roof older than 20 years")]
    [InlineData("landscaping", """{"services": ["Lawn care", "Hardscape"], "recurringService": true, "propertyAcres": 2.5, "budget": "15000.00"}""", "Design or installation project|Recurring maintenance contract|Large property|Budget over $10K")]
    [InlineData("general", """{"plansReady": true, "projectType": "Addition", "budget": "80000"}""", "Plans ready|Large project|Budget given")]
    [InlineData("government_contracting", """{"estimatedValue": "2500000.00", "setAside": "HUBZone", "solicitationNumber": "W912-26-R-0001"}""", "Contract value over $1M|Set-aside we qualify for|Has a solicitation number")]
    public void A_value_typed_into_an_industry_template_s_field_moves_the_score(string industry, string attributes, string expected)
    {
        var template = Assert.IsType<IndustryTemplate>(IndustryTemplateCatalog.Find(industry));
        var values = StoredAttributes.Read(JsonDocument.Parse(attributes).RootElement);
        var lead = new LeadProfile(Attributes: values);

        var score = RulesScorer.Score(DefaultRuleSets.For(industry), lead);

        Assert.All(values.Keys, key => Assert.Contains(template.CustomFields, field => field.Key == key));
        Assert.Equal(expected.Split('|').Order(StringComparer.Ordinal), score.Fired.Select(f => f.Label).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_rule_set_round_trips_through_the_api_json()
    {
        var ruleSet = DefaultRuleSets.For("roofing");

        var json = JsonSerializer.Serialize(ruleSet, StreamFlowJson.Options);
        var back = JsonSerializer.Deserialize<ScoringRuleSet>(json, StreamFlowJson.Options)!;

        Assert.Equal(JsonSerializer.Serialize(back, StreamFlowJson.Options), json);
        Assert.Contains("\"operator\":\"contains\"", json, StringComparison.Ordinal);
    }
}
