using System.Text;
using Microsoft.AspNetCore.Http;
using StreamFlow.Core.Kernel;
using StreamFlow.Functions.Http;

namespace StreamFlow.UnitTests.Http;

public sealed class RequestBodyTests
{
    private readonly RequestBody _body = new(new HttpLimits(MaxJsonBodyBytes: 64));

    private sealed record Sample(string? Name, int Count) : IValidatableRequest
    {
        public void Validate(ValidationErrors errors) => errors.Required("name", Name, 10);
    }

    [Fact]
    public async Task Valid_json_is_bound()
    {
        var result = await ReadAsync("""{"name":"Ada","count":3}""");

        Assert.True(result.Succeeded);
        Assert.Equal(new Sample("Ada", 3), result.Value);
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        var result = await ReadAsync("""{"name":"Ada"}""", "text/plain");

        Assert.Equal(ProblemKind.UnsupportedMediaType, result.Problem!.Kind);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_even_without_content_length()
    {
        var result = await ReadAsync($$"""{"name":"{{new string('x', 100)}}"}""", contentLength: false);

        Assert.Equal(ProblemKind.PayloadTooLarge, result.Problem!.Kind);
    }

    [Fact]
    public async Task Empty_body_is_a_validation_problem()
    {
        var result = await ReadAsync("");

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
        Assert.Contains("empty", result.Problem.Errors!["$"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_names_the_position()
    {
        var result = await ReadAsync("""{"name": "Ada",""");

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
        Assert.Contains("not valid JSON", result.Problem.Errors!.Single().Value[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_type_names_the_field()
    {
        var result = await ReadAsync("""{"name":"Ada","count":"three"}""");

        Assert.Equal(["has the wrong type."], result.Problem!.Errors!["count"]);
    }

    [Fact]
    public async Task Validation_reports_field_errors()
    {
        var result = await ReadAsync("""{"name":"a name that is far too long"}""");

        Assert.Equal(["must be at most 10 characters."], result.Problem!.Errors!["name"]);
    }

    [Fact]
    public async Task Json_null_is_refused()
    {
        var result = await ReadAsync("null");

        Assert.Equal(ProblemKind.Validation, result.Problem!.Kind);
    }

    private Task<Result<Sample>> ReadAsync(string json, string contentType = "application/json; charset=utf-8", bool contentLength = true)
    {
        var context = new DefaultHttpContext();
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(bytes);
        if (contentLength)
        {
            context.Request.ContentLength = bytes.Length;
        }

        return _body.ReadJsonAsync<Sample>(context.Request, CancellationToken.None);
    }
}
