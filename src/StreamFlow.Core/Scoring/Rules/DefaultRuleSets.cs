namespace StreamFlow.Core.Scoring.Rules;

/// <summary>
/// The rule set a tenant starts with, per industry. Every set shares the contact basics (reachable, referred, urgent,
/// cold list) and adds what signals a job worth having in its trade; attribute rules ("Budget", "Property Type",
/// "Service Type", "Timeline", "Contract Value", ...) fire only for tenants whose leads carry such a column, and the
/// industry template's custom fields (docs/workflows.md) have rules of their own, so a value typed into one moves the score.
/// </summary>
public static class DefaultRuleSets
{
    public const string Generic = "generic";

    /// <summary>The industries with a default rule set of their own; any other industry gets the generic one.</summary>
    public static IReadOnlyList<string> Industries { get; } =
        ["hvac", "plumbing", "electrical", "roofing", "landscaping", GovernmentContracting, Generic];

    /// <summary>Named as the tenant's industry value is spelled (<c>Industries.All</c>); the hyphenated form is an alias.</summary>
    private const string GovernmentContracting = "government_contracting";

    public static ScoringRuleSet For(string? industry) => (industry?.Trim().ToLowerInvariant()) switch
    {
        "hvac" => Set("hvac", Trade(
            Rule("No heat or no cooling", 20, Contains("notes", "no heat", "no ac", "no a/c", "not cooling", "not heating", "furnace out", "emergency")),
            Rule("System replacement", 15, Contains("notes", "replace", "new system", "new unit", "install")),
            Rule("Replacement service requested", 15, Contains("Service Type", "replacement", "installation", "install")),
            Rule("Maintenance only", -5, Contains("Service Type", "tune-up", "tune up", "maintenance", "inspection")),
            Rule("System older than 10 years", 10, GreaterThan("System Age", "10")),
            Rule("System older than 10 years", 10, GreaterThan("systemAgeYears", "10")),
            Rule("Phase-out refrigerant (R-22)", 10, In("refrigerant", "R-22")),
            Rule("On a maintenance plan", 5, Is("maintenancePlan")))),
        "plumbing" => Set("plumbing", Trade(
            Rule("Active leak or no water", 20, Contains("notes", "leak", "burst", "flood", "no water", "no hot water", "backed up", "emergency")),
            Rule("Water heater or repipe job", 15, Contains("notes", "water heater", "tankless", "repipe", "sewer line")),
            Rule("Remodel plumbing", 10, Contains("Service Type", "remodel", "renovation", "new construction")),
            Rule("Small fix only", -5, Contains("Service Type", "faucet", "toilet", "drain cleaning")),
            Rule("Emergency", 20, Is("emergency")),
            Rule("Active leak or no water", 20, In("issueType", "Leak")),
            Rule("Water heater or repipe job", 15, In("issueType", "Water heater", "Repipe", "Sewer line")),
            Rule("Water heater older than 10 years", 10, GreaterThan("waterHeaterAgeYears", "10")),
            Rule("Small fix only", -5, In("issueType", "Clogged drain", "Fixture install")))),
        "electrical" => Set("electrical", Trade(
            Rule("Safety hazard", 20, Contains("notes", "sparking", "burning smell", "no power", "outage", "shock", "emergency")),
            Rule("Panel or service upgrade", 15, Contains("notes", "panel", "service upgrade", "200 amp", "rewire")),
            Rule("EV charger, solar or generator", 10, Contains("notes", "ev charger", "charger", "solar", "generator")),
            Rule("Single outlet or fixture", -5, Contains("Service Type", "outlet", "light fixture", "switch")),
            Rule("Panel or service upgrade", 15, In("serviceType", "Panel upgrade", "Rewiring")),
            Rule("EV charger, solar or generator", 10, In("serviceType", "EV charger", "Generator")),
            Rule("Panel under 200 amps", 10, LessThan("panelAmps", "200")))),
        "roofing" => Set("roofing", Trade(
            Rule("Storm or leak damage", 20, Contains("notes", "storm", "hail", "wind damage", "leak", "tarp")),
            Rule("Insurance claim", 15, Contains("notes", "insurance", "claim", "adjuster")),
            Rule("Full replacement", 15, Contains("notes", "replace", "new roof", "re-roof", "reroof")),
            Rule("Large roof", 10, GreaterThan("Roof Size", "2500")),
            Rule("Repair only", -5, Contains("Service Type", "repair", "patch", "gutter cleaning")),
            Rule("Storm or leak damage", 20, Is("stormDamage")),
            Rule("Insurance claim", 15, Is("insuranceClaim")),
            Rule("Large roof", 10, GreaterThan("squares", "25")),
            Rule("Roof older than 20 years", 10, GreaterThan("roofAgeYears", "20")))),
        "landscaping" => Set("landscaping", Trade(
            Rule("Design or installation project", 15, Contains("notes", "design", "install", "hardscape", "patio", "irrigation", "retaining wall")),
            Rule("Recurring maintenance contract", 10, Contains("Service Type", "weekly", "monthly", "maintenance contract", "recurring")),
            Rule("Commercial grounds", 10, Contains("Property Type", "commercial", "hoa", "municipal")),
            Rule("One-time mowing", -5, Contains("Service Type", "one-time", "single mow", "one time")),
            Rule("Design or installation project", 15, Contains("services", "design and install", "hardscape", "irrigation")),
            Rule("Recurring maintenance contract", 10, Is("recurringService")),
            Rule("Large property", 5, GreaterThan("propertyAcres", "1")))),
        GovernmentContracting or "government-contracting" or "government contracting" or "government" => Set(GovernmentContracting, Basics().Concat(
        [
            Rule("Has a solicitation number", 10, Exists("Solicitation Number")),
            Rule("Set-aside we qualify for", 15, Contains("Set-Aside", "small business", "8(a)", "hubzone", "sdvosb", "wosb")),
            Rule("Contract value over $1M", 15, GreaterThan("Contract Value", "1000000")),
            Rule("Contract value under $25K", -10, LessThan("Contract Value", "25000")),
            Rule("Contract value over $1M", 15, GreaterThan("estimatedValue", "1000000")),
            Rule("Contract value under $25K", -10, LessThan("estimatedValue", "25000")),
            Rule("Response due soon", 10, Contains("notes", "due this week", "due in", "deadline")),
            Rule("Requires a clearance", -10, Contains("notes", "top secret", "ts/sci", "security clearance")),
        ]).ToArray()),
        _ => Set(Generic, Basics().Concat(
        [
            Rule("Budget given", 10, Exists("Budget")),
            Rule("Ready to start soon", 10, Contains("Timeline", "asap", "immediately", "this week", "this month")),
            Rule("Plans ready", 10, Is("plansReady")),
            Rule("Large project", 10, In("projectType", "Addition", "New build", "Commercial fit-out")),
        ]).ToArray()),
    };

    // Version 2: rules on the industry templates' custom fields (systemAgeYears, stormDamage, ...) beside the imported
    // columns' (System Age, ...); a lead carries one or the other.
    private static ScoringRuleSet Set(string name, ScoringRule[] rules) => new(name, 2, 30, rules);

    /// <summary>What tells a lead is real and reachable in any business.</summary>
    private static IEnumerable<ScoringRule> Basics() =>
    [
        Rule("Has an email address", 10, Exists("email")),
        Rule("Has a phone number", 10, Exists("phone")),
        Rule("Company named", 5, Exists("company")),
        Rule("Referred or returning customer", 20, In("source", "referral", "reference", "word of mouth", "repeat customer", "existing customer", "returning customer")),
        Rule("Asks for it urgently", 10, Contains("notes", "urgent", "asap", "as soon as possible", "today")),
        Rule("Bought or cold list", -15, In("source", "purchased list", "cold list", "cold call", "list import", "lead import")),
        Rule("Just price shopping", -10, Contains("notes", "just a quote", "price check", "shopping around", "cheapest")),
    ];

    /// <summary>The basics plus what the residential and commercial trades share.</summary>
    private static ScoringRule[] Trade(params ScoringRule[] specific) => Basics().Concat(
    [
        Rule("Commercial property", 10, Contains("Property Type", "commercial", "industrial", "multi-family")),
        Rule("Homeowner", 5, Contains("Property Type", "owner", "homeowner", "single family")),
        Rule("Renter", -10, Contains("Property Type", "renter", "tenant")),
        Rule("Budget over $10K", 10, GreaterThan("Budget", "10000")),
        Rule("Ready to start soon", 10, Contains("Timeline", "asap", "immediately", "this week", "this month")),
    ]).Concat(specific).ToArray();

    private static ScoringRule Rule(string label, int points, params RuleCondition[] when) => new(label, points, when);

    private static RuleCondition Exists(string field) => new(field, "exists");

    /// <summary>A yes/no field that is yes.</summary>
    private static RuleCondition Is(string field) => new(field, "equals", "true");

    private static RuleCondition In(string field, params string[] values) => new(field, "in", Values: values);

    private static RuleCondition Contains(string field, params string[] values) => new(field, "contains", Values: values);

    private static RuleCondition GreaterThan(string field, string value) => new(field, "greaterThan", value);

    private static RuleCondition LessThan(string field, string value) => new(field, "lessThan", value);
}
