using StreamFlow.Core.Rfps;

namespace StreamFlow.UnitTests.Rfps;

/// <summary>Each extractor on solicitation text as agencies write it.</summary>
public sealed class RfpFactExtractorTests
{
    private const string Solicitation = """
        SOLICITATION/CONTRACT/ORDER FOR COMMERCIAL PRODUCTS AND COMMERCIAL SERVICES
        Solicitation Number: W912DQ-27-R-0042
        Title: HVAC Preventive Maintenance and Repair Services, Federal Building 12
        Issuing Agency: U.S. Army Corps of Engineers, Kansas City District
        NAICS Code: 238220 (Plumbing, Heating, and Air-Conditioning Contractors); alternate NAICS 561210
        Set-Aside: Total Small Business

        Offers are due by 2:00 PM EST on March 15, 2027.
        Questions regarding this solicitation must be submitted by email no later than
        March 1, 2027 at 12:00 PM EST.

        Place of Performance: Federal Building 12, 601 E 12th St
        Kansas City, MO 64106

        The estimated value of this requirement is $1,250,000 over the base year and four option years.

        SECTION C - PERFORMANCE WORK STATEMENT
        C.1 The contractor shall provide all labor, materials and equipment for the preventive
        maintenance of the HVAC systems in Federal Building 12.
        C.2 The contractor shall respond to emergency service calls within four (4) hours.
        C.3 All technicians must hold EPA Section 608 Universal certification.
        C.4 Work is performed Monday through Friday between 7:00 AM and 5:00 PM.

        SECTION M - EVALUATION FACTORS FOR AWARD
        Award will be made on a best value trade-off basis.
        Factor 1: Technical Approach (40 points)
        Factor 2: Past Performance (30 points)
        Factor 3: Price (30 points)
        """;

    private static RfpFacts Facts(string text) => RfpFactExtractor.Extract(RfpTextExtractor.FromText(text));

    [Fact]
    public void Solicitation_number_title_and_agency_are_read_from_their_labels()
    {
        var facts = Facts(Solicitation);

        Assert.Equal("W912DQ-27-R-0042", facts.SolicitationNumber?.Value);
        Assert.Equal("HVAC Preventive Maintenance and Repair Services, Federal Building 12", facts.Title?.Value);
        Assert.Equal("U.S. Army Corps of Engineers, Kansas City District", facts.Agency?.Value);
    }

    [Fact]
    public void Every_naics_code_is_found_once_in_order()
    {
        var facts = Facts(Solicitation + "\n\nNAICS 238220 applies to all CLINs.");

        Assert.Equal(["238220", "561210"], facts.NaicsCodes.Select(code => code.Value));
    }

    [Theory]
    [InlineData("Set-Aside: Total Small Business", RfpSetAsideKind.TotalSmallBusiness)]
    [InlineData("Set Aside: Service-Disabled Veteran-Owned Small Business (SDVOSB)", RfpSetAsideKind.ServiceDisabledVeteranOwned)]
    [InlineData("This acquisition is a HUBZone set-aside.", RfpSetAsideKind.HubZone)]
    [InlineData("This requirement is an 8(a) set-aside under FAR 19.8.", RfpSetAsideKind.EightA)]
    [InlineData("This acquisition is offered under full and open competition.", RfpSetAsideKind.Unrestricted)]
    [InlineData("Set-Aside: Women-Owned Small Business (WOSB) Program", RfpSetAsideKind.WomenOwned)]
    public void Set_asides_are_classified(string line, RfpSetAsideKind kind)
    {
        Assert.Equal(kind, Facts(line).SetAside?.Value.Kind);
    }

    [Fact]
    public void Offer_deadline_in_EST_during_daylight_time_is_read_as_Eastern_local_time()
    {
        var due = Facts(Solicitation).ResponseDue!.Value;

        Assert.Equal((new DateOnly(2027, 3, 15), new TimeOnly(14, 0), "EST", "America/New_York"), (due.Date, due.Time, due.TimeZone, due.IanaTimeZone));
        Assert.Equal(new DateTimeOffset(2027, 3, 15, 18, 0, 0, TimeSpan.Zero), due.Utc);
    }

    [Fact]
    public void Questions_deadline_is_told_apart_from_the_offer_deadline()
    {
        var questions = Facts(Solicitation).QuestionsDue!.Value;

        Assert.Equal(new DateOnly(2027, 3, 1), questions.Date);
        Assert.Equal(new TimeOnly(12, 0), questions.Time);
    }

    [Theory]
    [InlineData("OFFER DUE DATE/LOCAL TIME: 04/22/2027 1400 hours CT", 2027, 4, 22, 14, 0, "CT")]
    [InlineData("Proposals must be received no later than 3:30 p.m. Pacific Time on Friday, June 4, 2027.", 2027, 6, 4, 15, 30, "Pacific")]
    [InlineData("Closing Date: 2027-09-30 at 11:00 AM MST", 2027, 9, 30, 11, 0, "MST")]
    public void Offer_deadlines_are_read_in_the_common_forms(string line, int year, int month, int day, int hour, int minute, string zone)
    {
        var due = Facts(line).ResponseDue!.Value;

        Assert.Equal((new DateOnly(year, month, day), new TimeOnly(hour, minute), zone), (due.Date, due.Time, due.TimeZone));
    }

    [Fact]
    public void A_deadline_without_a_zone_has_no_utc_instant()
    {
        var due = Facts("Quotes are due March 3, 2027 at 10:00 AM local time.").ResponseDue!.Value;

        Assert.Equal(new TimeOnly(10, 0), due.Time);
        Assert.Null(due.Utc);
    }

    [Fact]
    public void Place_of_performance_takes_the_address_line_that_follows()
    {
        Assert.Equal("Federal Building 12, 601 E 12th St, Kansas City, MO 64106", Facts(Solicitation).PlaceOfPerformance?.Value);
    }

    [Fact]
    public void Section_M_factors_are_read_with_their_weights_and_the_award_basis()
    {
        var facts = Facts(Solicitation);

        Assert.Equal(
            [("Technical Approach", "40 points"), ("Past Performance", "30 points"), ("Price", "30 points")],
            facts.EvaluationCriteria.Select(f => (f.Value.Name, f.Value.Weight)));
        Assert.Equal("Best value trade-off", facts.EvaluationBasis?.Value);
    }

    [Fact]
    public void Requirement_statements_are_whole_sentences_with_shall_or_must()
    {
        var facts = Facts(Solicitation);

        Assert.Equal(
            [
                "Questions regarding this solicitation must be submitted by email no later than March 1, 2027 at 12:00 PM EST.",
                "The contractor shall provide all labor, materials and equipment for the preventive maintenance of the HVAC systems in Federal Building 12.",
                "The contractor shall respond to emergency service calls within four (4) hours.",
                "All technicians must hold EPA Section 608 Universal certification.",
            ],
            facts.Requirements.Select(r => r.Value));
        Assert.Equal(4, facts.RequirementsFound);
    }

    [Theory]
    [InlineData("The estimated value of this requirement is $1,250,000 over five years.", RfpValueKind.Estimate, "1250000.00", "1250000.00")]
    [InlineData("The total order value shall not exceed $2.5 million.", RfpValueKind.Ceiling, "2500000.00", "2500000.00")]
    [InlineData("The magnitude of construction is between $1,000,000 and $5,000,000.", RfpValueKind.Range, "1000000.00", "5000000.00")]
    public void A_stated_value_is_read_with_its_kind(string line, RfpValueKind kind, string minimum, string maximum)
    {
        var value = Facts(line).StatedValue!.Value;

        Assert.Equal((kind, minimum, maximum), (value.Kind, value.Minimum.Amount, value.Maximum.Amount));
    }

    [Fact]
    public void Dollar_amounts_without_a_value_word_are_not_the_value()
    {
        Assert.Null(Facts("Technicians are paid at least $38.50 per hour under the wage determination.").StatedValue);
    }

    [Fact]
    public void Each_fact_points_at_its_paragraph_offsets_and_snippet()
    {
        var document = RfpTextExtractor.FromText(Solicitation);
        var facts = RfpFactExtractor.Extract(document);
        var source = facts.SolicitationNumber!.Source;
        var paragraph = document.Segments.Single(s => s.Number == source.Number);

        Assert.Equal((RfpSegmentUnit.Paragraph, 1), (source.Unit, source.Number));
        Assert.Equal("W912DQ-27-R-0042", paragraph.Text[source.Start..source.End]);
        Assert.Equal("Solicitation Number: W912DQ-27-R-0042", source.Snippet);
    }

    [Fact]
    public void A_document_without_these_facts_leaves_them_empty()
    {
        var facts = Facts("Thank you for your interest in working with us.\n\nWe will be in touch.");

        Assert.Null(facts.Title);
        Assert.Null(facts.SolicitationNumber);
        Assert.Null(facts.ResponseDue);
        Assert.Empty(facts.NaicsCodes);
        Assert.Empty(facts.Requirements);
    }
}
