namespace Reference.Protocol.Generator;

/// <summary>
/// Emits a struct's Write method: regular fields in order, then the tagged-field section, where known
/// tags that differ from their default are merged in tag order with the unknown ones we kept.
/// </summary>
internal sealed class WriteEmitter(CSharpEmitter owner, IReadOnlyList<FieldSpec> fields, Versions scope)
{
    private CodeWriter Code => owner.Code;

    public void Emit()
    {
        Code.Line("public void Write(ProtocolWriter writer, short version)");
        Code.Open();
        string flexible = owner.FlexibleCondition(scope);
        if (flexible is not ("true" or "false"))
        {
            Code.Line($"bool flexible = {flexible};");
            flexible = "flexible";
        }
        foreach (FieldSpec field in fields.Where(f => !f.IsTagged))
        {
            Versions fieldScope = field.Versions.Intersect(scope);
            string compact = field.FlexibleNever ? "false" : flexible;
            Code.If(CSharpEmitter.Condition(field.Versions, scope),
                () => WriteValue(field.Name, field, "writer", compact, fieldScope));
        }
        Code.If(flexible, EmitTaggedSection);
        Code.Close();
    }

    private void EmitTaggedSection()
    {
        Versions taggedScope = scope.Intersect(owner.Message.FlexibleVersions);
        var tagged = fields.Where(f => f.IsTagged).OrderBy(f => f.Tag)
            .Select(f => (Field: f, Present: f.TaggedVersions.Intersect(f.Versions).Intersect(taggedScope)))
            .Select(t => (t.Field, t.Present, Condition: CSharpEmitter.Condition(t.Present, taggedScope)))
            .Where(t => t.Condition != "false")
            .Select(t => (t.Field, t.Present, Test: t.Condition == "true" ? NotDefault(t.Field) : $"{t.Condition} && {NotDefault(t.Field)}"))
            .ToList();
        Code.Line("int taggedCount = UnknownTaggedFields?.Count ?? 0;");
        foreach (var (field, _, test) in tagged) Code.Line($"if ({test}) taggedCount++;");
        Code.Line("writer.WriteUnsignedVarInt((uint)taggedCount);");
        if (tagged.Count == 0)
        {
            Code.Line("TaggedFieldWriter.WriteUnknown(writer, UnknownTaggedFields);");
            return;
        }
        Code.Line("int unknownIndex = 0;");
        foreach (var (field, present, test) in tagged)
        {
            Code.Line($"TaggedFieldWriter.WriteUnknownBelow(writer, UnknownTaggedFields, {field.Tag}, ref unknownIndex);");
            Code.Line($"if ({test})");
            Code.Open();
            Code.Line("using var field = new ProtocolWriter();");
            WriteValue(field.Name, field, "field", "true", present);
            Code.Line($"writer.WriteTaggedField({field.Tag}, field.WrittenSpan);");
            Code.Close();
        }
        Code.Line("TaggedFieldWriter.WriteUnknownBelow(writer, UnknownTaggedFields, int.MaxValue, ref unknownIndex);");
    }

    /// <summary>A tagged field is written only when it differs from its default (KIP-482).</summary>
    private string NotDefault(FieldSpec field)
    {
        string name = field.Name;
        bool nullable = CSharpEmitter.IsNullableProperty(field);
        FieldType type = field.Type;
        if (type.IsStruct) return $"{name} is not null";
        if (type.IsArray)
            return field.Default == "null" ? $"{name} is not null" : nullable ? $"({name} is null || {name}.Count != 0)" : $"{name}.Count != 0";
        return type.Name switch
        {
            "bytes" or "records" => field.Default == "null" ? $"{name} is not null"
                : nullable ? $"({name} is null || {name}.Value.Length != 0)" : $"{name}.Length != 0",
            "uuid" => $"{name} != Uuid.Zero",
            _ => $"{name} != {CSharpEmitter.DefaultLiteral(field)}",
        };
    }

    private void WriteValue(string value, FieldSpec field, string writer, string compact, Versions fieldScope)
    {
        string nullable = CSharpEmitter.Condition(field.NullableVersions, fieldScope);
        FieldType type = field.Type;
        if (type.IsArray)
        {
            Code.Line($"{writer}.WriteArrayCount({value}?.Count, {compact}, {nullable});");
            FieldType element = type.Element;
            string write = element.IsStruct ? $"element.Write({writer}, version);" : WritePrimitive(element, "element", writer, compact);
            Code.Line($"if ({value} is not null) foreach (var element in {value}) {write}");
            return;
        }
        if (type.IsStruct)
        {
            WriteStruct(value, field, writer, nullable);
            return;
        }
        Code.Line(type.Name switch
        {
            "string" => $"{writer}.WriteString({value}, {compact}, {nullable});",
            "bytes" or "records" => $"{writer}.WriteBytes({value}, {compact}, {nullable});",
            _ => WritePrimitive(type, value, writer, compact),
        });
    }

    private void WriteStruct(string value, FieldSpec field, string writer, string nullable)
    {
        bool propertyNullable = CSharpEmitter.IsNullableProperty(field);
        string present = propertyNullable ? $"({value} ?? new {field.Type.Name}())" : value;
        if (field.IsTagged)
        {
            Code.Line($"{value}!.Write({writer}, version);");
            return;
        }
        if (nullable == "false")
        {
            Code.Line($"{present}.Write({writer}, version);");
            return;
        }
        string withMarker = $"if ({value} is null) {writer}.WriteInt8(-1); else {{ {writer}.WriteInt8(1); {value}.Write({writer}, version); }}";
        if (nullable == "true")
        {
            Code.Line(withMarker);
            return;
        }
        Code.Line($"if ({nullable}) {{ {withMarker} }}");
        Code.Line($"else {present}.Write({writer}, version);");
    }

    private static string WritePrimitive(FieldType type, string value, string writer, string compact) => type.Name switch
    {
        "bool" => $"{writer}.WriteBool({value});",
        "int8" => $"{writer}.WriteInt8({value});",
        "int16" => $"{writer}.WriteInt16({value});",
        "uint16" => $"{writer}.WriteUInt16({value});",
        "int32" => $"{writer}.WriteInt32({value});",
        "uint32" => $"{writer}.WriteUInt32({value});",
        "int64" => $"{writer}.WriteInt64({value});",
        "float64" => $"{writer}.WriteFloat64({value});",
        "uuid" => $"{writer}.WriteUuid({value});",
        "string" => $"{writer}.WriteString({value}, {compact}, false);",
        "bytes" or "records" => $"{writer}.WriteBytes({value}, {compact}, false);",
        _ => throw new InvalidOperationException($"not a primitive: {type.Name}"),
    };
}
