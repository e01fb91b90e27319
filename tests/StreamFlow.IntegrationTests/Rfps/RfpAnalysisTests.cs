using StreamFlow.Core.Ai;
using StreamFlow.Core.Kernel;
using StreamFlow.Core.Rfps;
using StreamFlow.IntegrationTests.Ai;

namespace StreamFlow.IntegrationTests.Rfps;

/// <summary>The RFP orchestration end to end over real PostgreSQL and Azurite, on documents written in the test.</summary>
[Collection(ServicesCollection.Name)]
public sealed class RfpAnalysisTests(TestServices services)
{
    [Fact]
    public async Task A_pdf_solicitation_yields_its_facts_with_page_numbers()
    {
        await using var bed = await RfpTestBed.StartAsync(services);
        var tenant = await bed.CreateTenantAsync();

        var rfp = await bed.AnalyzeAsync(tenant, SolicitationDocuments.Pdf(SolicitationDocuments.Pages), RfpMediaTypes.Pdf, "solicitation.pdf");
        var facts = rfp.Analysis!.Facts;

        Assert.Equal("completed", rfp.Status);
        Assert.Equal((RfpSegmentUnit.Page, 3), (rfp.Analysis.Document.Unit, rfp.Analysis.Document.Segments));
        Assert.Equal("W912DQ-27-R-0042", facts.SolicitationNumber?.Value);
        Assert.Equal("HVAC Preventive Maintenance and Repair Services, Federal Building 12", facts.Title?.Value);
        Assert.Equal(["238220", "561210"], facts.NaicsCodes.Select(c => c.Value));
        Assert.Equal(RfpSetAsideKind.TotalSmallBusiness, facts.SetAside?.Value.Kind);
        Assert.Equal(new DateTimeOffset(2027, 3, 15, 18, 0, 0, TimeSpan.Zero), facts.ResponseDue?.Value.Utc);
        Assert.Equal(new DateOnly(2027, 3, 1), facts.QuestionsDue?.Value.Date);
        Assert.Equal("1250000.00", facts.StatedValue?.Value.Maximum.Amount);
        Assert.Equal(["Technical Approach", "Past Performance", "Price"], facts.EvaluationCriteria.Select(f => f.Value.Name));
        Assert.Equal([1, 2, 3], new[] { facts.Title!.Source.Number, facts.Requirements[1].Source.Number, facts.EvaluationCriteria[0].Source.Number });
    }

    [Fact]
    public async Task A_pdf_source_offsets_point_at_the_value_on_its_page()
    {
        await using var bed = await RfpTestBed.StartAsync(services);
        var tenant = await bed.CreateTenantAsync();
        var pdf = SolicitationDocuments.Pdf(SolicitationDocuments.Pages);

        var rfp = await bed.AnalyzeAsync(tenant, pdf, RfpMediaTypes.Pdf, "solicitation.pdf");
        var source = rfp.Analysis!.Facts.SolicitationNumber!.Source;
        var page = RfpTextExtractor.FromPdf(pdf).Segments.Single(p => p.Number == source.Number);

        Assert.Equal("W912DQ-27-R-0042", page.Text[source.Start..source.End]);
        Assert.Contains("Solicitation Number: W912DQ-27-R-0042", source.Snippet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_docx_solicitation_reads_labels_and_values_from_table_cells_with_paragraph_numbers()
    {
        await using var bed = await RfpTestBed.StartAsync(services);
        var tenant = await bed.CreateTenantAsync();

        var rfp = await bed.AnalyzeAsync(tenant, SolicitationDocuments.Docx(), RfpMediaTypes.Docx, "solicitation.docx");
        var facts = rfp.Analysis!.Facts;

        Assert.Equal(RfpSegmentUnit.Paragraph, rfp.Analysis.Document.Unit);
        Assert.Equal("W912DQ-27-R-0042", facts.SolicitationNumber?.Value);
        Assert.Equal(3, facts.SolicitationNumber!.Source.Number);
        Assert.Equal("U.S. Army Corps of Engineers, Kansas City District", facts.Agency?.Value);
        Assert.Equal(RfpSetAsideKind.TotalSmallBusiness, facts.SetAside?.Value.Kind);
        Assert.Equal(new TimeOnly(14, 0), facts.ResponseDue?.Value.Time);
        Assert.Equal(3, facts.EvaluationCriteria.Count);
    }

    [Fact]
    public async Task Without_ai_the_local_method_assesses_and_says_why()
    {
        await using var bed = await RfpTestBed.StartAsync(services);
        var tenant = await bed.CreateTenantAsync();

        var rfp = await bed.AnalyzeAsync(tenant, SolicitationDocuments.Pdf(SolicitationDocuments.Pages), RfpMediaTypes.Pdf, "solicitation.pdf");
        var assessment = rfp.Analysis!.Assessment!;

        Assert.Equal("local", assessment.Method);
        Assert.Contains("not configured", assessment.FallbackReason, StringComparison.Ordinal);
        Assert.StartsWith("HVAC Preventive Maintenance and Repair Services, Federal Building 12 (W912DQ-27-R-0042)", assessment.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pricing_guidance_comes_from_similar_won_work_in_the_tenants_history()
    {
        await using var bed = await RfpTestBed.StartAsync(services);
        var tenant = await bed.CreateTenantAsync();
        foreach (var amount in new[] { 90_000m, 120_000m, 150_000m, 180_000m, 210_000m })
        {
            await bed.AddDecidedLeadAsync(tenant, "HVAC preventive maintenance contract for an office campus", amount);
        }

        await bed.AddDecidedLeadAsync(tenant, "HVAC repair bid", null, "Price too high");
        await bed.AddDecidedLeadAsync(tenant, "Landscaping for a school district", 9_000m);

        var rfp = await bed.AnalyzeAsync(tenant, SolicitationDocuments.Pdf(SolicitationDocuments.Pages), RfpMediaTypes.Pdf, "solicitation.pdf");
        var pricing = rfp.Analysis!.Assessment!.Pricing;

        Assert.Equal(("similar", 5, 1), (pricing.History.Basis, pricing.History.Won, pricing.History.Lost));
        Assert.Equal(("90000.00", "150000.00", "210000.00"), (pricing.History.Minimum?.Amount, pricing.History.Median?.Amount, pricing.History.Maximum?.Amount));
        Assert.Equal(("120000.00", "180000.00"), (pricing.Low?.Amount, pricing.High?.Amount));
        Assert.Equal(["price too high"], pricing.History.LostReasons);
    }

    [Fact]
    public async Task With_ai_the_models_assessment_is_kept_and_its_prompt_carries_the_facts_and_history()
    {
        using var fake = new FakeOpenAi().AnswersWith("""
            {"summary": "The Corps of Engineers buys HVAC maintenance for Federal Building 12; offers due March 15, 2027.",
             "recommendation": "bid", "confidence": 0.75, "reasons": ["Core work for the business", "Small business set-aside"],
             "pricing": {"low": 1100000, "high": 1300000, "rationale": "Near the stated estimate."}}
            """);
        await using var bed = await RfpTestBed.StartAsync(services, fake.BaseUrl);
        var tenant = await bed.CreateTenantAsync();
        await bed.AddDecidedLeadAsync(tenant, "HVAC maintenance for a county courthouse", 210_000m);

        var rfp = await bed.AnalyzeAsync(tenant, SolicitationDocuments.Pdf(SolicitationDocuments.Pages), RfpMediaTypes.Pdf, "solicitation.pdf");
        var assessment = rfp.Analysis!.Assessment!;

        Assert.Equal(("ai", null, RfpDecision.Bid), (assessment.Method, assessment.FallbackReason, assessment.Recommendation.Decision));
        Assert.Equal(["Core work for the business", "Small business set-aside"], assessment.Recommendation.Reasons);
        Assert.Equal(("1100000.00", "1300000.00"), (assessment.Pricing.Low?.Amount, assessment.Pricing.High?.Amount));
        Assert.Contains("W912DQ-27-R-0042", fake.RequestBodies.Single(), StringComparison.Ordinal);
        Assert.Contains("210000", fake.RequestBodies.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_ai_budget_used_up_the_local_method_assesses_and_says_so()
    {
        using var fake = new FakeOpenAi().AnswersWith("""{"summary": "x", "recommendation": "bid"}""");
        await using var bed = await RfpTestBed.StartAsync(services, fake.BaseUrl);
        var tenant = await bed.CreateTenantAsync();
        var budget = await bed.Get<AiBudgetService>().SetTenantBudgetAsync(tenant, new AiTenantBudget(0.000001m, 0.000001m), CancellationToken.None);
        Assert.True(budget.Succeeded);

        var rfp = await bed.AnalyzeAsync(tenant, SolicitationDocuments.Pdf(SolicitationDocuments.Pages), RfpMediaTypes.Pdf, "solicitation.pdf");
        var assessment = rfp.Analysis!.Assessment!;

        Assert.Equal("local", assessment.Method);
        Assert.Contains("AI budget is used up", assessment.FallbackReason, StringComparison.Ordinal);
        Assert.Equal(0, fake.Requests);
    }

    [Fact]
    public async Task A_damaged_pdf_fails_the_rfp_with_the_reason()
    {
        await using var bed = await RfpTestBed.StartAsync(services);
        var tenant = await bed.CreateTenantAsync();
        var damaged = System.Text.Encoding.ASCII.GetBytes("%PDF-1.7\nthis is not really a PDF body\n%%EOF");

        var rfp = await bed.AnalyzeAsync(tenant, damaged, RfpMediaTypes.Pdf, "broken.pdf");

        Assert.Equal("failed", rfp.Status);
        Assert.Contains("could not be read", rfp.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_declared_as_a_pdf_is_refused_as_unsupported()
    {
        await using var bed = await RfpTestBed.StartAsync(services);
        var tenant = await bed.CreateTenantAsync();

        var started = await bed.Rfps.StartAsync(tenant, "user:test",
            new RfpUpload(new MemoryStream("Solicitation Number: 123"u8.ToArray()), RfpMediaTypes.Pdf, "fake.pdf", null), CancellationToken.None);

        Assert.Equal(ProblemKind.UnsupportedMediaType, started.Problem?.Kind);
    }

    [Fact]
    public async Task Another_tenants_rfp_is_not_found()
    {
        await using var bed = await RfpTestBed.StartAsync(services);
        var (owner, other) = (await bed.CreateTenantAsync(), await bed.CreateTenantAsync());
        var rfp = await bed.AnalyzeAsync(owner, "Title: Snow removal\n\nBids are due January 30, 2027."u8.ToArray(), RfpMediaTypes.Text, "snow.txt");

        var read = await bed.Rfps.GetAsync(other, rfp.Id, CancellationToken.None);

        Assert.Equal(ProblemKind.NotFound, read.Problem?.Kind);
    }
}
